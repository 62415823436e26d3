// mkdocs-jupyter's notebook template imports mermaid as an ES module from a CDN; the site's hook
// points that import here instead: the site's own copy (assets/vendor/mermaid), loaded through the
// stand-in of javascripts/mermaid.js, which every page has.
export default await (window.mermaid.load ? window.mermaid.load() : window.mermaid);
