// MathJax 3 (assets/vendor/mathjax) for notebook pages: the same delimiters Jupyter uses.
window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]], processEscapes: true },
  options: { ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process" },
};
