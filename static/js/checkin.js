/* Check-in helpers: the phone's position for geofenced check-ins, and the leader's code
   page (countdown to the next code, full screen). No inline scripts, no dependencies. */
(function () {
  "use strict";

  function show(box, message) {
    box.textContent = message;
    box.classList.remove("d-none");
  }

  // A geofenced check-in: ask for the position, fill the hidden inputs, then submit.
  var form = document.getElementById("check-in-form");
  if (form && form.dataset.geofence) {
    var status = document.getElementById("geo-status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (form.dataset.located) {
        return;
      }
      event.preventDefault();
      if (!("geolocation" in navigator)) {
        show(status, form.dataset.msgUnsupported);
        return;
      }
      show(status, form.dataset.msgLocating);
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[name=latitude]").value = position.coords.latitude;
          form.querySelector("[name=longitude]").value = position.coords.longitude;
          form.dataset.located = "1";
          form.submit();
        },
        function (error) {
          button.disabled = false;
          show(
            status,
            error.code === error.PERMISSION_DENIED ? form.dataset.msgDenied : form.dataset.msgUnavailable
          );
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
      );
    });
  }

  // The leader's code page: count down to the next code and fetch it when it is due.
  var timer = null;
  function startCountdown() {
    var counter = document.querySelector("[data-countdown]");
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    if (!counter) {
      return;
    }
    var left = parseInt(counter.dataset.countdown, 10);
    timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        timer = null;
        var block = document.getElementById("qr-block");
        if (block && window.htmx) {
          window.htmx.trigger(block, "refresh");
        }
        return;
      }
      counter.textContent = left;
    }, 1000);
  }
  startCountdown();
  document.body.addEventListener("htmx:afterSettle", startCountdown);

  var fullScreen = document.getElementById("full-screen");
  if (fullScreen && document.documentElement.requestFullscreen) {
    fullScreen.classList.remove("d-none");
    fullScreen.addEventListener("click", function () {
      var stage = document.getElementById("code-stage");
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        stage.requestFullscreen();
      }
    });
  }
})();
