/* Graph of notes, drawn with force-graph (assets/vendor/force-graph, MIT).
 *
 * - The global graph (page graph.md, generated) fetches graph.json, written at build time by
 *   tools/site/hooks.py from the same pass that resolves the wiki-links.
 * - Each note carries its local graph as JSON inside <div class="vault-local-graph">: the note,
 *   the notes it links to and those linking to it. On wide screens it moves to the right sidebar,
 *   above the table of contents, as in Obsidian Publish.
 * Clicking a node opens the note (through Material's instant navigation when it is on).
 */
(function () {
  "use strict";

  // This script lives at <site>/javascripts/graph.js: the site's root is one level up.
  var script = document.currentScript;
  var siteRoot = new URL("..", script ? script.src : location.href);
  var live = [];

  function css(name, fallback) {
    var value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return {
      node: css("--md-primary-fg-color", "#673ab7"),
      current: css("--md-accent-fg-color", "#7c4dff"),
      link: css("--md-default-fg-color--lighter", "rgba(0,0,0,.32)"),
      linkFaint: css("--md-default-fg-color--lightest", "rgba(0,0,0,.07)"),
      faded: css("--md-default-fg-color--lightest", "rgba(0,0,0,.07)"),
      linkHot: css("--md-accent-fg-color", "#7c4dff"),
      text: css("--md-default-fg-color", "#000"),
      muted: css("--md-default-fg-color--light", "rgba(0,0,0,.54)"),
      background: css("--md-default-bg-color", "#fff"),
    };
  }

  function open(url) {
    // A click on a real link: Material's instant navigation picks it up when it is on.
    var a = document.createElement("a");
    a.href = url.href;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // Notes in folders get a colour per folder (the vault's root keeps the theme's colour).
  var FOLDER_COLOURS = ["#26a69a", "#ef6c00", "#1e88e5", "#c2185b", "#7cb342", "#8d6e63",
                        "#00acc1", "#f4511e", "#5c6bc0", "#fbc02d"];
  function folderColour(folders, folder, fallback) {
    if (!folder) return fallback;
    var i = folders.indexOf(folder);
    return FOLDER_COLOURS[i % FOLDER_COLOURS.length];
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function draw(el, data, options) {
    if (typeof ForceGraph !== "function") return null;
    var colours = palette();
    var neighbours = {};
    data.nodes.forEach(function (n) { neighbours[n.id] = new Set(); });
    data.links.forEach(function (l) {
      var s = typeof l.source === "object" ? l.source.id : l.source;
      var t = typeof l.target === "object" ? l.target.id : l.target;
      if (neighbours[s]) neighbours[s].add(t);
      if (neighbours[t]) neighbours[t].add(s);
    });
    var hover = null;
    var many = data.nodes.length > 80;
    var huge = data.nodes.length > 600;
    var folders = [];
    data.nodes.forEach(function (n) {
      if (n.folder && folders.indexOf(n.folder) < 0) folders.push(n.folder);
    });
    folders.sort();

    function label(ctx, scale, n) {
      // Always on small graphs; on big ones only when zoomed in or around the pointer; in the
      // sidebar's local graph only the note itself and, on hover, what is around the pointer.
      var near = hover && (hover === n || neighbours[hover.id].has(n.id));
      if (options.small && !near && n.id !== options.current) return;
      if (many && scale < 1.6 && !near && n.id !== options.current) return;
      var size = (options.small ? 10 : 12) / scale;
      var r = Math.sqrt(1 + Math.sqrt(n.degree || 0)) * (options.small ? 3 : huge ? 2 : 4);
      var text = shorten(n.title, options.small ? 24 : 40);
      ctx.font = size + "px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      var y = n.y + r + 1.5 / scale;
      var w = ctx.measureText(text).width;
      var pad = 2 / scale;
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = colours.background;
      ctx.fillRect(n.x - w / 2 - pad, y - pad / 2, w + 2 * pad, size + pad);
      ctx.globalAlpha = 1;
      ctx.fillStyle = n.id === options.current || near ? colours.text : colours.muted;
      ctx.fillText(text, n.x, y);
    }

    var graph = ForceGraph()(el)
      .width(el.clientWidth)
      .height(el.clientHeight)
      .backgroundColor("rgba(0,0,0,0)")
      .graphData(data)
      .nodeId("id")
      .nodeRelSize(options.small ? 3 : huge ? 2 : 4)
      .nodeVal(function (n) { return 1 + Math.sqrt(n.degree || 0); })
      .nodeLabel(function (n) { return many || options.small ? n.title : ""; })
      .nodeColor(function (n) {
        if (n.id === options.current) return colours.current;
        if (hover && hover !== n && !neighbours[hover.id].has(n.id)) return colours.faded;
        return folderColour(folders, n.folder, colours.node);
      })
      .linkColor(function (l) {
        if (hover && (l.source === hover || l.target === hover)) return colours.linkHot;
        return huge ? colours.linkFaint : colours.link;
      })
      .linkWidth(function (l) {
        return hover && (l.source === hover || l.target === hover) ? 1.5 : huge ? 0.3 : 0.6;
      })
      .linkDirectionalArrowLength(options.small || huge ? 0 : 2.5)
      .linkDirectionalArrowRelPos(1)
      .onNodeHover(function (n) {
        hover = n || null;
        el.style.cursor = n ? "pointer" : "";
      })
      .onNodeClick(function (n) { open(new URL(n.url, options.base)); })
      // Labels last, over the links, each on a patch of the background colour.
      .onRenderFramePost(function (ctx, scale) {
        graph.graphData().nodes.forEach(function (n) { label(ctx, scale, n); });
      })
      .warmupTicks(data.nodes.length > 500 ? 20 : 60)
      .cooldownTime(options.small ? 2000 : 3000)
      .d3VelocityDecay(0.3);

    if (huge) graph.d3Force("charge").strength(-18);
    else if (many) graph.d3Force("charge").strength(-40);
    else graph.d3Force("charge").strength(options.small ? -120 : -200);
    graph.d3Force("link").distance(options.small ? 30 : 50);

    var fitted = false;
    graph.onEngineStop(function () {
      if (!fitted) { fitted = true; graph.zoomToFit(400, options.small ? 24 : 40); }
      el.dataset.ready = "true";
    });
    el.__graph = graph;
    live.push({ el: el, graph: graph, refresh: function () { colours = palette(); } });
    return graph;
  }

  // graph.json is fetched once per page load and shared by the global and the local graphs.
  var graphData = null;
  function loadGraph() {
    if (!graphData) {
      graphData = fetch(new URL("graph.json", siteRoot)).then(function (r) { return r.json(); });
    }
    return graphData;
  }

  function drawGlobal(el) {
    loadGraph().then(function (data) {
      el.dataset.nodes = String(data.nodes.length);
      draw(el, clone(data.nodes, data.links), { base: siteRoot, small: false, current: null });
    });
  }

  function clone(nodes, links) {
    // force-graph writes positions into the objects it is given: each drawing gets its own.
    return {
      nodes: nodes.map(function (n) { return Object.assign({}, n); }),
      links: links.map(function (l) { return { source: l.source, target: l.target }; }),
    };
  }

  function neighbourhood(data, id) {
    var keep = new Set([id]);
    data.links.forEach(function (l) {
      if (l.source === id) keep.add(l.target);
      if (l.target === id) keep.add(l.source);
    });
    return clone(
      data.nodes.filter(function (n) { return keep.has(n.id); }),
      data.links.filter(function (l) { return keep.has(l.source) && keep.has(l.target); })
    );
  }

  function drawLocal(el) {
    var id = el.dataset.id;
    if (!id) return;
    loadGraph().then(function (all) {
      var data = neighbourhood(all, id);
      if (data.nodes.length < 2) { el.hidden = true; return; }
      var sidebar = document.querySelector(".md-sidebar--secondary:not([hidden]) .md-sidebar__inner");
      var box = document.createElement("div");
      box.className = "vault-local-graph__box";
      var title = document.createElement("p");
      title.className = "vault-local-graph__title";
      title.textContent = "Граф связей";
      var canvas = document.createElement("div");
      canvas.className = "vault-local-graph__canvas";
      box.appendChild(title);
      box.appendChild(canvas);
      if (sidebar && getComputedStyle(sidebar.closest(".md-sidebar")).display !== "none") {
        box.classList.add("vault-local-graph__box--sidebar");
        sidebar.insertBefore(box, sidebar.firstChild);
      } else {
        el.appendChild(box);
      }
      canvas.dataset.nodes = String(data.nodes.length);
      draw(canvas, data, { base: siteRoot, small: true, current: id });
    });
  }

  function render() {
    live.forEach(function (entry) {
      if (entry.graph._destructor) entry.graph._destructor();
      else entry.graph.pauseAnimation();
    });
    live = [];
    document.querySelectorAll(".vault-local-graph__box--sidebar").forEach(function (b) { b.remove(); });
    document.querySelectorAll(".vault-graph--global").forEach(drawGlobal);
    document.querySelectorAll(".vault-local-graph").forEach(drawLocal);
  }

  // Colours follow the light/dark toggle.
  new MutationObserver(function () {
    live.forEach(function (entry) { entry.refresh(); });
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(render);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
