// Material's instant previews find a link's target section with `article [id="<hash>"]`, and a
// URL's hash is percent-encoded: a heading with a Cyrillic id (all of ours), or a block id, is never
// found and the preview stays empty. Where such a lookup finds nothing, it is tried again with the
// id decoded. Only that selector is touched: every other query goes through unchanged.
(function () {
  var find = Document.prototype.querySelector;
  var encoded = /^article \[id="([^"]*%[0-9A-Fa-f]{2}[^"]*)"\]$/;
  Document.prototype.querySelector = function (selector) {
    var found = find.call(this, selector);
    var match = found === null && typeof selector === "string" ? encoded.exec(selector) : null;
    if (!match) return found;
    var id;
    try {
      id = decodeURIComponent(match[1]);
    } catch (error) {
      return found; // not a percent-encoded id after all
    }
    return find.call(this, 'article [id="' + id.replace(/["\\]/g, "\\$&") + '"]');
  };
})();
