// Scan a courtesy card's QR code with the phone camera into a hidden input, then submit its
// form (the code is checked by the server; the number field stays for typing instead).
// Markup: <button data-card-scan-into="INPUT_ID" data-scan-video="VIDEO_ID">; needs ZXingBrowser.
// Camera access needs HTTPS or localhost; typing the number always works as well.
(function () {
  "use strict";
  document.querySelectorAll("[data-card-scan-into]").forEach(function (button) {
    var input = document.getElementById(button.dataset.cardScanInto);
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
          input.value = result.getText().trim().slice(0, 200);
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
