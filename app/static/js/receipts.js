// Ballot receipts kept on this device only. The server never links a person to a receipt
// (that is what keeps the ballot secret), so "My participation" lists them from here.
(function () {
  "use strict";
  var KEY = "qatysu.receipts";
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  var save = document.getElementById("save-receipt");
  if (save) {
    var list = load();
    var item = { budget: save.dataset.budget, name: save.dataset.name, receipt: save.dataset.receipt,
                 url: save.dataset.url, day: new Date().toISOString().slice(0, 10) };
    if (!list.some(function (r) { return r.receipt === item.receipt; })) {
      list.push(item);
      try { window.localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
    }
    save.hidden = false;
  }
  var target = document.getElementById("device-receipts");
  if (target) {
    var items = load();
    if (items.length) {
      target.hidden = false;
      var ul = target.querySelector("ul");
      items.slice().reverse().forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = r.url;
        a.textContent = r.receipt;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" — " + r.name + " (" + r.day + ")"));
        ul.appendChild(li);
      });
    }
  }
})();
