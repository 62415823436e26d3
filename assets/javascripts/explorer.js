/* The vault's folders and notes in the left sidebar, as Obsidian's file explorer shows them, drawn
 * from explorer.json: one file written per build and cached by the browser, so a page does not
 * carry the whole vault in its HTML. Folders are <details> (keyboard: Tab, Enter, Space); the
 * current note is marked and its folders are open. With instant navigation it is drawn again on
 * every page. */
(function () {
  "use strict";
  var root = new URL("..", document.currentScript.src); // this file is javascripts/explorer.js
  var tree = null;

  function load() {
    if (!tree) tree = fetch(new URL("explorer.json", root)).then(function (r) { return r.json(); });
    return tree;
  }

  function path(url) { return decodeURIComponent(new URL(url, root).pathname); }

  function list(node, current) {
    var ul = document.createElement("ul");
    ul.className = "vault-explorer__list";
    var found = false;
    node.folders.forEach(function (folder) {
      var inner = list(folder, current);
      var details = document.createElement("details");
      details.className = "vault-explorer__folder";
      var summary = document.createElement("summary");
      summary.textContent = folder.name;
      details.appendChild(summary);
      details.appendChild(inner.element);
      details.open = inner.found;
      found = found || inner.found;
      var li = document.createElement("li");
      li.appendChild(details);
      ul.appendChild(li);
    });
    node.notes.forEach(function (note) {
      var a = document.createElement("a");
      a.href = new URL(note.url, root).href;
      a.textContent = note.title;
      a.className = "vault-explorer__link";
      if (path(note.url) === current) {
        a.classList.add("vault-explorer__link--current");
        a.setAttribute("aria-current", "page");
        found = true;
      }
      var li = document.createElement("li");
      li.appendChild(a);
      ul.appendChild(li);
    });
    return { element: ul, found: found };
  }

  function draw() {
    var sidebar = document.querySelector(".md-sidebar--primary .md-sidebar__inner");
    if (!sidebar) return;
    load().then(function (data) {
      var old = sidebar.querySelector(".vault-explorer");
      if (old) old.remove();
      var nav = document.createElement("nav");
      nav.className = "vault-explorer";
      nav.setAttribute("aria-label", "Все заметки хранилища");
      var title = document.createElement("h2");
      title.className = "vault-explorer__title";
      title.textContent = "Все заметки";
      nav.appendChild(title);
      nav.appendChild(list(data, decodeURIComponent(location.pathname)).element);
      sidebar.appendChild(nav);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(draw);
  else document.addEventListener("DOMContentLoaded", draw);
})();
