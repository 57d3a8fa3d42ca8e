/* Starting from what ran before, on the task form:
   - "New task like this": the form opens filled from the earlier task. Its values are kept (in
     this tab's session storage) as the form first showed them, and as you edit, each control
     that differs says what it was, and a summary above the form names them all.
   - "Import inputs from a JSON file": the chosen file's text goes into the box the server reads
     (without this script, paste the text there).
   Without this script the form works the same, without the comparison. */
(function () {
  "use strict";

  var SKIPPED = /^(csrf_token|submission_id|name|description|action|import_json)$|-@row$/;
  var form = document.getElementById("task-form");
  if (!form) return;

  // ---- import: read the chosen file into the box --------------------------------------------

  var picker = form.querySelector("[data-import-file]");
  if (picker && window.FileReader) {
    picker.closest(".js-only").hidden = false;
    picker.addEventListener("change", function () {
      var file = picker.files && picker.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        document.getElementById("import-json").value = String(reader.result);
      };
      reader.readAsText(file);
    });
  }

  // ---- compare with the task the form came from ---------------------------------------------

  var key = form.dataset.compareKey;
  var summary = document.getElementById("compare-summary");
  if (!key || !summary || !window.sessionStorage) return;
  var storeKey = "launcher-compare:" + location.pathname + ":" + key;
  var fileNames = {};
  try {
    fileNames = JSON.parse(form.dataset.pickerNames || "{}");
  } catch (error) {
    fileNames = {};
  }
  // The chosen files' names are in their fields' spans (the attribute has only the others).
  form.querySelectorAll(".chosen-file[data-file-id]").forEach(function (node) {
    if (!fileNames[node.dataset.fileId]) fileNames[node.dataset.fileId] = node.textContent;
  });

  // The wrapper of one input (or one setting): the outermost field inside its group.
  function holderOf(control) {
    var holder = null;
    for (var node = control.parentElement; node && node !== form; node = node.parentElement) {
      if (node.matches(".input-group, .app-inputs, details.optional-inputs")) break;
      if (node.matches(".field, fieldset")) holder = node;
    }
    return holder;
  }

  function holders() {
    var found = [];
    Array.from(form.elements).forEach(function (control) {
      if (!control.name || SKIPPED.test(control.name)) return;
      var holder = holderOf(control);
      if (holder && found.indexOf(holder) < 0) found.push(holder);
    });
    return found;
  }

  function labelOf(holder) {
    var label = holder.querySelector("legend, label");
    var text = label ? label.textContent : "";
    return text.replace(/\(required\)/, "").replace(/\s+/g, " ").trim() || "a value";
  }

  // What a holder's controls would send, as one comparable text.
  function valueOf(holder) {
    var data = new FormData(form);
    var names = new Set();
    holder.querySelectorAll("[name]").forEach(function (control) {
      if (!SKIPPED.test(control.name)) names.add(control.name);
    });
    var parts = [];
    names.forEach(function (name) {
      data.getAll(name).forEach(function (value) {
        value = String(value).trim();
        if (value) parts.push(value);
      });
    });
    return parts.join(" ");
  }

  function shown(value) {
    if (!value) return "not set";
    var words = value.split(/\s+/).map(function (word) {
      return fileNames[word] || word;
    });
    var text = words.join(" ");
    return text.length > 120 ? text.slice(0, 117) + "…" : text;
  }

  function snapshot() {
    var values = {};
    holders().forEach(function (holder, n) {
      values[n] = valueOf(holder);
    });
    return values;
  }

  var source = null;
  try {
    source = JSON.parse(sessionStorage.getItem(storeKey) || "null");
  } catch (error) {
    source = null;
  }
  if (form.dataset.compareName) {
    source = { name: form.dataset.compareName, values: snapshot() };
    try {
      sessionStorage.setItem(storeKey, JSON.stringify(source));
    } catch (error) {
      // Storage full or refused: compare on this page only.
    }
  }
  if (!source) return;

  function compare() {
    var changed = [];
    holders().forEach(function (holder, n) {
      var was = source.values[n] || "";
      var now = valueOf(holder);
      var note = holder.querySelector(":scope > .compare-note");
      if (was === now) {
        holder.classList.remove("differs");
        if (note) note.remove();
        return;
      }
      holder.classList.add("differs");
      if (!note) {
        note = document.createElement("p");
        note.className = "compare-note";
        holder.append(note);
      }
      note.textContent = "Changed. In “" + source.name + "” it was: " + shown(was);
      changed.push(holder);
    });
    summary.replaceChildren();
    summary.hidden = false;
    if (!changed.length) {
      summary.textContent = "Every input and setting is as in “" + source.name + "”.";
      return;
    }
    summary.append(
      document.createTextNode(
        changed.length + (changed.length === 1 ? " value differs" : " values differ") +
          " from “" + source.name + "”: "
      )
    );
    changed.forEach(function (holder, n) {
      var target = holder.querySelector("input[id]:not([type=hidden]), select[id], textarea[id]");
      var link = document.createElement("a");
      link.textContent = labelOf(holder);
      if (target) link.href = "#" + target.id;
      summary.append(link, document.createTextNode(n < changed.length - 1 ? ", " : "."));
    });
  }

  var soon = null;
  function compareSoon() {
    clearTimeout(soon);
    soon = setTimeout(compare, 150);
  }
  form.addEventListener("input", compareSoon);
  form.addEventListener("change", compareSoon);
  document.addEventListener("inputs:row-added", compareSoon);
  compare();
})();
