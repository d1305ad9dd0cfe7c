// Small progressive enhancements. Every page works without this file; it makes dialogs modal and
// fills a time being corrected with its current value.
(function () {
  "use strict";

  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (dialog && typeof dialog.showModal === "function") {
      if (dialog.open) dialog.close();
      dialog.showModal();
      dialog.querySelectorAll("select[data-fills]").forEach(function (select) { fillFrom(select, null); });
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
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  // A value to copy (a secret or token shown once) is selected whole when focused.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) event.target.select();
  });
  // The autofocused one got its focus before this file ran.
  document.addEventListener("DOMContentLoaded", function () {
    var focused = document.activeElement;
    if (focused && focused.matches("input[data-select-on-focus]")) focused.select();
  });

  // A swapped fragment replaces any open dialog; make sure none is left modal.
  document.addEventListener("htmx:beforeSwap", function () {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });

  // A form refused inside a dialog comes back with the dialog open (data-show-modal): make it modal again,
  // so what was typed and the error beside it are in front. Without this file it shows in the page.
  function showRefusedDialogs() {
    document.querySelectorAll("dialog[data-show-modal]").forEach(function (dialog) {
      if (typeof dialog.showModal !== "function") return;
      dialog.removeAttribute("data-show-modal");  // once: a later swap elsewhere must not reopen it
      if (dialog.open) dialog.close();
      dialog.showModal();
      var invalid = dialog.querySelector("[aria-invalid=true], .has-error input, .has-error select, .has-error textarea");
      if (invalid) invalid.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showRefusedDialogs(); });
  document.addEventListener("htmx:afterSwap", showRefusedDialogs);

  // "Correct a time": choosing which time puts its current value in the time box (in the viewer's zone,
  // from the option's data-value), unless the box holds something else the person typed.
  function fillFrom(select, previous) {
    var input = document.getElementById(select.getAttribute("data-fills"));
    var option = select.options[select.selectedIndex];
    if (!input || !option) return;
    if (!input.value || input.value === previous) input.value = option.getAttribute("data-value") || "";
  }
  document.addEventListener("focusin", function (event) {
    var select = event.target.closest && event.target.closest("select[data-fills]");
    if (select) select._previous = (select.options[select.selectedIndex] || {}).value;
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-fills]");
    if (!select) return;
    var old = select.querySelector("option[value='" + select._previous + "']");
    fillFrom(select, old ? old.getAttribute("data-value") : null);
    select._previous = select.value;
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

// The weekly review keeps one of team, service or severity (the figures are stored per dimension):
// choosing one clears the others, before htmx sends the form (capture phase runs first).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-exclusive]") || !select.value) return;
  select.form.querySelectorAll("select[data-exclusive]").forEach(function (other) {
    if (other !== select) other.value = "";
  });
}, true);

// Writing a COE together (coe/live.py). One poll per page brings other people's saves as out-of-band
// fragments; this decides, at swap time, what may change: a section box that is being typed in ("dirty":
// its text differs from what was last loaded or saved) keeps its text AND its version, so the next save
// gets the conflict view instead of silently overwriting, and shows a notice instead. While someone types
// in a section, the page says so (a throttled ping; the mark expires by itself on the server).
(function () {
  "use strict";

  var poller = null;            // the #coe-live element (looked up at the first ping)
  var pollSwapping = false;     // true while a poll's out-of-band fragments are being swapped
  var savesInFlight = 0;
  var saveSeq = 0;              // bumped by every section save; a poll answer older than a save is dropped
  var lastPing = {};

  function norm(text) { return (text || "").replace(/\r\n?/g, "\n"); }
  function sectionKey(id, prefix) { return id && id.indexOf(prefix) === 0 ? id.slice(prefix.length) : null; }
  function box(key) { return document.getElementById("body-" + key); }
  function isPoll(elt) { return !!elt && elt.id === "coe-live"; }
  function isSectionSave(elt) { return !!elt && !!elt.closest && !!elt.closest(".section-form"); }
  function requestElt(event) {
    // After an outerHTML swap htmx re-dispatches afterRequest on an ancestor: the config keeps the source.
    var config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }

  // What the box held when last loaded or saved; null in the conflict view (dirty until saved).
  function baseline(textarea) {
    if (textarea._coeSaved !== undefined) return textarea._coeSaved;
    var section = textarea.closest(".coe-section");
    if (section && section.querySelector(".conflict")) return null;
    return textarea.defaultValue;
  }

  function isDirty(key) {
    var textarea = box(key);
    if (!textarea) return false;
    var saved = baseline(textarea);
    return saved === null || norm(textarea.value) !== norm(saved);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (!isPoll(event.detail.elt)) return;
    // Tell the server which version of each section this page holds.
    document.querySelectorAll(".coe-section input[type=hidden][id^='version-']").forEach(function (input) {
      event.detail.parameters[sectionKey(input.id, "version-")] = input.value;
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (isPoll(elt)) {
      // Skip a tick while a save is on its way (its answer is newer) or while nobody can see the page.
      if (savesInFlight > 0 || document.hidden) { event.preventDefault(); return; }
      event.detail.xhr._coeSeq = saveSeq;
    } else if (isSectionSave(elt)) {
      savesInFlight += 1;
      saveSeq += 1;
      event.detail.xhr._coeSent = elt.tagName === "TEXTAREA" ? elt.value : null;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = requestElt(event);
    var xhr = event.detail.xhr;
    pollSwapping = false;
    if (isPoll(elt)) {
      if (xhr._coeSeq !== saveSeq) { event.detail.shouldSwap = false; return; }
      pollSwapping = true;
    } else if (isSectionSave(elt) && elt.tagName === "TEXTAREA" && xhr.status === 200 && xhr._coeSent !== null) {
      elt._coeSaved = xhr._coeSent;   // an autosave went through: that text is the saved one now
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = requestElt(event);
    if (isPoll(elt)) pollSwapping = false;
    else if (isSectionSave(elt)) savesInFlight = Math.max(0, savesInFlight - 1);
  });

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (!pollSwapping) return;
    var target = event.detail.target;
    var incoming = event.detail.fragment && event.detail.fragment.firstElementChild;
    var key;
    if ((key = sectionKey(target.id, "version-")) !== null) {
      if (isDirty(key)) event.detail.shouldSwap = false;
    } else if ((key = sectionKey(target.id, "live-text-")) !== null) {
      // The saved text: put it in the box only if nobody is typing there. The slot itself stays empty.
      event.detail.shouldSwap = false;
      var textarea = box(key);
      if (textarea && incoming && !isDirty(key)) {
        textarea.value = incoming.textContent;
        textarea._coeSaved = textarea.value;
      }
    } else if ((key = sectionKey(target.id, "live-notice-")) !== null) {
      if (incoming) incoming.hidden = !isDirty(key);
      if (sameAs(target, incoming)) event.detail.shouldSwap = false;
    } else if (sectionKey(target.id, "live-editors-") !== null) {
      if (sameAs(target, incoming)) event.detail.shouldSwap = false;
    }
  });

  // Unchanged presence or notice: leave the node alone, so nothing flickers or is announced again.
  function sameAs(current, incoming) {
    return !!incoming && current.hidden === incoming.hidden && current.textContent === incoming.textContent;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (error) { return ""; }
  }

  function pingPresence(textarea) {
    var key = sectionKey(textarea.id, "body-");
    var slot = key && document.getElementById("live-" + key);
    poller = poller || document.getElementById("coe-live");
    if (!slot || !poller) return;
    var every = parseInt(poller.getAttribute("data-presence-every"), 10) || 5000;
    var now = Date.now();
    if (lastPing[key] && now - lastPing[key] < every) return;
    lastPing[key] = now;
    fetch(slot.getAttribute("data-presence-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}
    }).catch(function () { lastPing[key] = 0; });
  }

  function onTyping(event) {
    var target = event.target;
    if (target && target.tagName === "TEXTAREA" && target.name === "body" && target.closest(".coe-section")) {
      pingPresence(target);
    }
  }
  document.addEventListener("focusin", onTyping);
  document.addEventListener("input", onTyping);

  // Back on the tab: catch up at once rather than at the next tick.
  document.addEventListener("visibilitychange", function () {
    var live = document.getElementById("coe-live");
    if (!document.hidden && live && window.htmx) window.htmx.trigger(live, "coe:poll");
  });
})();

// ---- Integrations (templates/alerts/) ----
// The integration form shows only the fields of the chosen tool: each such field's wrapper names its
// tool in data-kinds, and the server already renders the others hidden when it knows the tool. Without
// this file a new form shows every field (each says which tool it is for) and saving still works.
// A form with data-confirm asks before it is sent (in place of an inline onsubmit, which a
// Content-Security-Policy without inline script would block).
(function () {
  "use strict";

  function showKindFields(select) {
    if (!select.form) return;
    select.form.querySelectorAll("[data-kinds]").forEach(function (wrapper) {
      wrapper.hidden = wrapper.getAttribute("data-kinds").split(" ").indexOf(select.value) < 0;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-kind-switch]")) showKindFields(event.target);
  });

  function init() { document.querySelectorAll("select[data-kind-switch]").forEach(showKindFields); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
