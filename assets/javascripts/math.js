// Math in notes ($…$, $$…$$) is rendered by the site's own MathJax (assets/vendor/mathjax), loaded
// only on a page that has some; with instant navigation, again on every page that arrives.
(function () {
  var src = new URL("../vendor/mathjax/tex-mml-chtml.js", document.currentScript.src).href;
  function typeset() {
    if (!document.querySelector(".arithmatex")) return;
    if (window.MathJax && window.MathJax.typesetPromise) {
      window.MathJax.typesetClear();
      window.MathJax.typesetPromise();
      return;
    }
    window.MathJax = {
      tex: { inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]], processEscapes: true, processEnvironments: true },
      options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" },
    };
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    document.head.appendChild(script);
  }
  if (window.document$) window.document$.subscribe(typeset);
  else document.addEventListener("DOMContentLoaded", typeset);
})();
