/* mkdocs-glightbox wires the lightbox up only on pages it processed, and the site spares it the
 * pages without images. After instant navigation from such a page no script of the plugin ran:
 * start the lightbox here then, with the plugin's settings, and reload it on every page. */
(function () {
  "use strict";
  var own = null;
  function start() {
    if (typeof lightbox !== "undefined" || typeof GLightbox !== "function") return; // the plugin's ran
    if (!own) {
      own = GLightbox({ touchNavigation: true, loop: false, zoomable: true, draggable: true,
                        openEffect: "zoom", closeEffect: "zoom", slideEffect: "slide" });
    } else {
      own.reload();
    }
  }
  // Later than the plugin's own script at the end of <body>, which declares `lightbox`.
  function soon() { setTimeout(start, 0); }
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(soon);
  else document.addEventListener("DOMContentLoaded", soon);
})();
