/* The care visit form on the phone: the receipt signed with a finger on a canvas (drawn by the
   vendored signature_pad) is sent as a PNG data URL in the form's hidden signature field; the
   recipient and receipt choices show only the fields that go with them. No inline scripts. */
(function () {
  "use strict";

  function signaturePad(box) {
    var canvas = box.querySelector("canvas");
    var field = document.getElementById(box.dataset.signatureFor);
    // A white ground, so that the stored PNG reads on any background.
    var pad = new SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)" });

    function remember() {
      field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    }

    // The canvas is drawn at the screen's pixel density; resizing clears it, so the strokes
    // are kept and drawn again (a phone's address bar showing or hiding resizes the page).
    function fit() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var strokes = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(strokes);
    }

    window.addEventListener("resize", fit);
    fit();
    if (field.value) {
      // A form shown again after a refusal keeps the signature already drawn.
      pad.fromDataURL(field.value, { ratio: 1, width: canvas.offsetWidth, height: canvas.offsetHeight });
    }
    pad.addEventListener("endStroke", remember);
    box.parentElement.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pad.clear();
      remember();
    });
  }

  // Show the parts named by the checked radio button of a group, hide the others.
  function follow(form, radioSelector, partSelector, partKey, wanted) {
    var radios = form.querySelectorAll(radioSelector);
    function update() {
      var checked = form.querySelector(radioSelector + ":checked");
      form.querySelectorAll(partSelector).forEach(function (part) {
        part.classList.toggle("d-none", !checked || !wanted(checked, part.dataset[partKey]));
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  document.querySelectorAll("form[data-care-visit]").forEach(function (form) {
    form.querySelectorAll("[data-signature-for]").forEach(signaturePad);
    follow(form, "[data-receipt-kind]", "[data-receipt-part]", "receiptPart", function (radio, part) {
      return radio.value === part;
    });
    follow(form, "[data-recipient]", "[data-relative-part]", "relativePart", function (radio) {
      return radio.value === "relative";
    });
  });
})();
