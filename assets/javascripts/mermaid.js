// Mermaid (assets/vendor/mermaid, 3.5 MB) is fetched only on a page that draws a diagram. Material
// calls `mermaid.initialize()` once and `mermaid.render()` for each diagram on the global
// `mermaid`, and fetches it from unpkg when that global is missing; this stand-in keeps the global
// defined and loads the site's own copy at the first render (the real one then takes the global).
(function () {
  var src = new URL("../vendor/mermaid/mermaid.min.js", document.currentScript.src).href;
  var settings = null;
  var loading = null;
  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () {
          if (settings) window.mermaid.initialize(settings);
          resolve(window.mermaid);
        };
        script.onerror = function () { reject(new Error("mermaid did not load from " + src)); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }
  window.mermaid = {
    initialize: function (config) { settings = config; },
    render: function () {
      var args = arguments;
      return load().then(function (real) { return real.render.apply(real, args); });
    },
    load: load,
  };
})();
