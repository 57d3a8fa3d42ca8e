// Small progressive enhancements; every page works without this script.
(function () {
  "use strict";

  // A form marked data-submit-once is sent once: a second click (or Enter) while the first
  // submission is on its way does nothing. The server also refuses to make a second draft.
  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        // Disabled buttons are not sent, so carry the pressed button's value in a hidden field.
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        form.appendChild(carried);
      }
      var buttons = form.querySelectorAll("button[type=submit]");
      window.setTimeout(function () {
        buttons.forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
        });
        if (submitter) {
          submitter.dataset.label = submitter.textContent;
          submitter.textContent = "Sending…";
        }
      }, 0);
    });
    // Coming back with the browser's Back button shows the page from its cache: re-enable it.
    window.addEventListener("pageshow", function () {
      form.dataset.submitting = "";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        if (button.dataset.label) { button.textContent = button.dataset.label; }
      });
      form.querySelectorAll("input[type=hidden][name=action]").forEach(function (input) {
        input.remove();
      });
    });
  }

  // After a failed submit, move focus to the summary of problems so it is read out first;
  // after a batch preview, to the preview.
  function focusProblems() {
    var target = document.getElementById("error-summary") || document.getElementById("problem") ||
      document.querySelector("[data-focus-on-load]");
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }

  // A "Copy" button beside each JSON body, where the browser lets pages write the clipboard.
  function addCopyButton(pre) {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy the JSON";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "copy-status";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.textContent).then(function () {
        status.textContent = "Copied.";
      }, function () {
        status.textContent = "Could not copy; select the text instead.";
      });
    });
    pre.parentNode.insertBefore(button, pre);
    pre.parentNode.insertBefore(status, pre);
  }

  // After a lost answer, "Look again" is pressed by itself once the platform can no longer be
  // making the draft (a second after the time the page gives), so the page says what became
  // of it without a click. The form keeps what is typed; nothing is created by a look.
  function lookAgainLater(button) {
    var seconds = Number(button.dataset.lookAgainIn);
    if (!isFinite(seconds) || !button.form || !button.form.requestSubmit) { return; }
    window.setTimeout(function () {
      if (button.form.dataset.submitting !== "1") { button.form.requestSubmit(button); }
    }, (seconds + 1) * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(guardDoubleSubmit);
    document.querySelectorAll("details.json-body pre").forEach(addCopyButton);
    document.querySelectorAll("button[data-look-again-in]").forEach(lookAgainLater);
    focusProblems();
  });
})();
