// mkdocs-jupyter's notebook template imports mermaid as an ES module from a CDN; the site's hook
// points that import here instead, to the mermaid the site already loads (assets/vendor/mermaid).
export default window.mermaid;
