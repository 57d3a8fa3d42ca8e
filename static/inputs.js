// The app inputs form (templates/tasks/_inputs.html), enhanced: add and remove rows of a list,
// show only the chosen branch of a union, fill a suggested value in one click, and tick an
// optional record's "Send these values" box when one of its fields is filled in.
// Without this script every control still works: lists show their rows and a spare one to
// fill in, unions all branches.
(function () {
  "use strict";

  function directChild(parent, selector) {
    return Array.prototype.find.call(parent.children, function (child) {
      return child.matches(selector);
    });
  }

  function relabelRows(rowsFieldset) {
    var list = directChild(rowsFieldset, "[data-rows-list]");
    if (!list) return;
    Array.prototype.forEach.call(list.children, function (row, index) {
      var label = row.querySelector("[data-row-label]");
      if (label) label.textContent = "Item " + (index + 1);
      var remove = row.querySelector(":scope > .js-only > [data-remove-row]");
      if (remove) remove.textContent = "Remove item " + (index + 1);
      // A list inside this row names the row on its own "Add" button.
      var inner = directChild(row, "[data-rows]");
      var innerAdd = inner && inner.querySelector(":scope > .js-only > [data-add-row]");
      if (innerAdd) innerAdd.textContent = "Add an item to item " + (index + 1);
    });
  }

  function showChosenBranch(unionFieldset) {
    var select = document.getElementById(unionFieldset.id + "-@type");
    if (!select) return;
    Array.prototype.forEach.call(unionFieldset.children, function (child) {
      if (child.hasAttribute("data-union-branch")) {
        child.hidden = child.getAttribute("data-union-branch") !== select.value;
      }
    });
  }

  // Reveal the buttons that need this script, and set up unions, inside `root`. The spare rows
  // drawn for pages without JavaScript go: here, "Add" makes rows.
  function enhance(root) {
    root.querySelectorAll("[data-spare-row]").forEach(function (row) {
      if (!row.closest("template")) row.remove();
    });
    root.querySelectorAll(".js-only").forEach(function (wrapper) {
      // Buttons inside a row template are revealed when the row is added.
      if (!wrapper.closest("template")) wrapper.hidden = false;
    });
    root.querySelectorAll("[data-union]").forEach(showChosenBranch);
    root.querySelectorAll("input[data-picker]").forEach(preferPickerNames);
  }

  // When the file picker has drawn its own list of chosen files next to an input, the plain
  // list rendered by the server for pages without JavaScript would say the same thing twice.
  function preferPickerNames(input) {
    if (!document.getElementById((input.id || input.name) + "-chosen")) return;
    var plain = document.getElementById(input.id + "@names");
    if (!plain) return;
    plain.hidden = true;
    var refs = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (ref) {
      return ref && ref !== plain.id;
    });
    input.setAttribute("aria-describedby", refs.join(" "));
  }

  function addRow(button) {
    var fieldset = button.closest("[data-rows]");
    var template = directChild(fieldset, "template[data-row-template]");
    var list = directChild(fieldset, "[data-rows-list]");
    var index = parseInt(fieldset.getAttribute("data-next-index"), 10) || 0;
    var token = fieldset.getAttribute("data-token");
    fieldset.setAttribute("data-next-index", String(index + 1));
    var holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML.split(token).join(String(index));
    var row = holder.firstElementChild;
    list.appendChild(row);
    enhance(row);
    relabelRows(fieldset);
    // Let the file picker (static/picker.js) enhance file inputs in the new row.
    row.dispatchEvent(new CustomEvent("inputs:row-added", { bubbles: true, detail: { row: row } }));
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    var fieldset = row.closest("[data-rows]");
    row.remove();
    relabelRows(fieldset);
    var add = fieldset.querySelector(":scope > .js-only > [data-add-row]");
    if (add) add.focus();
  }

  function fillSuggestion(button) {
    var target = document.getElementById(button.getAttribute("data-fill-target"));
    if (!target) return;
    target.value = button.getAttribute("data-fill-value");
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.dispatchEvent(new Event("change", { bubbles: true }));
    target.focus();
  }

  function tickRecordFlag(control) {
    var fields = control.closest(".record-fields");
    var filled = control.type === "checkbox" ? control.checked : Boolean(control.value);
    if (!fields || !filled) return;
    var record = fields.parentElement;
    var flag = document.getElementById(record.id + "-@set");
    if (flag && !flag.checked) flag.checked = true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !button.closest("[data-app-inputs]")) return;
    if (button.hasAttribute("data-add-row")) addRow(button);
    else if (button.hasAttribute("data-remove-row")) removeRow(button);
    else if (button.hasAttribute("data-fill-target")) fillSuggestion(button);
  });

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (!control.closest || !control.closest("[data-app-inputs]")) return;
    if (control.name && /-@type$/.test(control.name)) {
      var union = control.closest("[data-union]");
      if (union) showChosenBranch(union);
    }
    if (control.type !== "checkbox" || !/-@set$/.test(control.name)) tickRecordFlag(control);
  });

  document.querySelectorAll("[data-app-inputs]").forEach(enhance);
})();
