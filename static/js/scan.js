// Scan a QR code with the phone camera into an input, then submit its form.
// Markup: <button data-scan-into="INPUT_ID" data-scan-video="VIDEO_ID">; needs ZXingBrowser.
// data-scan-digits="N" keeps the code's first N digits (a redeem code); without it the text
// goes in whole (a courtesy card's signed code, which the server checks).
// Camera access needs HTTPS or localhost; typing the code always works as well.
(function () {
  "use strict";
  document.querySelectorAll("[data-scan-into]").forEach(function (button) {
    var input = document.getElementById(button.dataset.scanInto);
    var video = document.getElementById(button.dataset.scanVideo);
    var status = document.getElementById(button.dataset.scanStatus || "");
    if (!input || !video) return;
    if (!window.ZXingBrowser || !navigator.mediaDevices) {
      button.hidden = true;
      return;
    }
    var controls = null;
    button.addEventListener("click", function () {
      if (controls) {
        controls.stop();
        controls = null;
        video.hidden = true;
        return;
      }
      video.hidden = false;
      var reader = new window.ZXingBrowser.BrowserQRCodeReader();
      reader
        .decodeFromVideoDevice(undefined, video, function (result, error, ctl) {
          if (!result) return;
          ctl.stop();
          controls = null;
          video.hidden = true;
          var text = result.getText();
          var digits = Number(button.dataset.scanDigits || 0);
          input.value = digits
            ? text.replace(/\D/g, "").slice(0, digits)
            : text.trim().slice(0, 200);
          if (input.form) input.form.requestSubmit();
        })
        .then(function (ctl) {
          controls = ctl;
        })
        .catch(function () {
          video.hidden = true;
          if (status) status.hidden = false;
        });
    });
  });
})();
