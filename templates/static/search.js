// The search page: Pagefind's UI, started with the query from ?q= (the header's search box).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof window.PagefindUI !== "function") {
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: box.getAttribute("data-bundle"),
    showSubResults: false,
    showImages: false,
    autofocus: true,
    // A match in a record's names (name, native name, aliases) outranks one in an article's text,
    // so "Hashemi" finds the official before the articles that name him.
    ranking: { metaWeights: { names: 10, native: 10 } },
    processResult: function (result) {
      delete result.meta.names; // these rank, but repeat the title and excerpt when shown
      delete result.meta.native;
      return result;
    },
    translations: { placeholder: "Search names, in any script" }
  });
  document.getElementById("search-fallback").hidden = true;
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
