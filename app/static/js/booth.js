// Running total in the voting booth. The server checks every ballot anyway ("Check my ballot"
// works without JavaScript); this only saves the voter a round trip.
(function () {
  "use strict";
  // A refused ballot: the problems are read out and shown first (they were below the fold on a phone).
  var problems = document.getElementById("ballot-problems");
  if (problems) { problems.focus(); problems.scrollIntoView({block: "start"}); }
  var form = document.getElementById("booth");
  var out = document.getElementById("running-total");
  var words = document.getElementById("total-template");
  if (!form || !out || !words) { return; }
  var type = form.dataset.type;
  var budget = Number(form.dataset.budget);
  var max = form.dataset.max ? Number(form.dataset.max) : null;
  var maxPoints = form.dataset.maxPoints ? Number(form.dataset.maxPoints) : null;
  var fmt = new Intl.NumberFormat(words.dataset.locale === "en" ? "en" : "ru");
  function money(n) { return fmt.format(n) + " " + words.dataset.currency; }

  function update() {
    var count = 0, cost = 0, points = 0;
    form.querySelectorAll(".ballot-input").forEach(function (input) {
      var chosen = input.type === "checkbox" ? input.checked : Number(input.value) > 0;
      if (chosen) {
        count += 1;
        cost += Number(input.dataset.cost);
        if (input.type !== "checkbox") { points += Number(input.value); }
      }
    });
    var parts = [words.dataset.chosen + ": " + count, words.dataset.cost + ": " + money(cost)];
    if (type === "cumulative") { parts.push(words.dataset.points + ": " + points + (maxPoints ? " / " + maxPoints : "")); }
    var warnings = [];
    if (type === "knapsack" && cost > budget) { warnings.push(words.dataset.over + " " + money(cost - budget)); }
    if (max !== null && count > max && type !== "cumulative") { warnings.push(words.dataset.tooMany + " (" + count + " / " + max + ")"); }
    out.textContent = "";
    var p = document.createElement("p");
    p.textContent = parts.join(" · ");
    out.appendChild(p);
    warnings.forEach(function (text) {
      var w = document.createElement("p");
      w.className = "error";
      w.textContent = text;
      out.appendChild(w);
    });
    var over = warnings.length > 0;
    if (over && !out.classList.contains("running-total--over")) {
      out.scrollIntoView({block: "nearest"});  // the live region announces it; the eye finds it too
    }
    out.classList.toggle("running-total--over", over);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
