/* The volunteer's redeem code: count down to its expiry, then hide it and say so.
   No inline scripts, no dependencies. */
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown-redeem]");
  if (!box) {
    return;
  }
  var left = parseInt(box.dataset.countdownRedeem, 10);
  var counter = box.querySelector("[data-countdown-left]");
  var ends = Date.now() + left * 1000;

  function expire() {
    box.querySelectorAll(".redeem-digits, .redeem-qr, [data-countdown-running]").forEach(function (el) {
      el.classList.add("d-none");
    });
    box.querySelector("[data-countdown-expired]").classList.remove("d-none");
  }

  function tick() {
    // From the wall clock, so a phone that slept shows the right time on waking.
    left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    counter.textContent = left;
    if (left <= 0) {
      clearInterval(timer);
      expire();
    }
  }
  var timer = setInterval(tick, 1000);
  tick();
})();
