// Small progressive enhancements. Every page works without this file; it adds dialogs and keeps
// relative times fresh.
(function () {
  "use strict";

  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (dialog && typeof dialog.showModal === "function") {
      dialog.showModal();
      var first = dialog.querySelector("select, input, textarea");
      if (first) first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      event.preventDefault();
      openDialog(opener.getAttribute("data-dialog-open"));
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  // A swapped fragment replaces any open dialog; make sure none is left modal.
  document.addEventListener("htmx:beforeSwap", function () {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });

  // After a note is added, keep the cursor in the note box for the next one. Once the incident
  // itself has been redrawn, the flash messages above it describe an older state: drop them.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "incident-main") {
      document.querySelectorAll(".messages").forEach(function (box) { box.remove(); });
    }
    if (event.detail.target && event.detail.target.id === "timeline") {
      var box = document.getElementById("note-body");
      if (box && !box.value) box.focus();
    }
  });
})();
