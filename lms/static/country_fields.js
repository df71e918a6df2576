// The enterprise form: show the registration numbers of the chosen cluster's country (each
// cluster option names it in data-country; no cluster means the default country). Without
// this script the page shows the saved cluster's country's numbers, and the server keeps only
// the numbers of the cluster's country whatever is posted.
(function () {
  "use strict";
  var select = document.getElementById("cluster");
  var groups = document.querySelectorAll("[data-country-fields]");
  if (!select || !groups.length) { return; }
  function show() {
    var option = select.options[select.selectedIndex];
    var country = (option && option.getAttribute("data-country")) ||
      select.getAttribute("data-default-country");
    Array.prototype.forEach.call(groups, function (group) {
      group.hidden = group.getAttribute("data-country-fields") !== country;
    });
  }
  select.addEventListener("change", show);
  show();
})();
