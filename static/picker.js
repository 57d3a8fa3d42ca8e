/* File picker: turns every input[data-picker] (a text field of file or folder ids) into a field
   with a "Choose files…" button. The button opens a modal dialog that browses the project one
   folder level and one page at a time (HTML fragments from views/files.py). The selection lives
   here, so it survives paging, folder changes and filters; "Done" writes the ids (space separated)
   back into the field. Without JavaScript the field still takes ids typed or pasted. */
(function () {
  "use strict";

  var ID_SEPARATORS = /[\s,]+/;
  var names = new Map(); // file id -> name, for every id this page has seen
  var details = new Map(); // file id -> {size, folder} when known, shown on a chip's hover/focus
  var asked = new Set(); // ids already looked up, found or not: never asked twice
  var enhanced = []; // the inputs with a picker
  var typing = null; // one timer for all fields, so a burst of typing makes one look-up
  var scriptSrc = document.currentScript ? document.currentScript.src : "";

  // ---- small helpers ----------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function hidden(text) {
    return el("span", { className: "visually-hidden", text: text });
  }

  function idsOf(input) {
    return input.value.split(ID_SEPARATORS).filter(Boolean);
  }

  function inputLabel(input) {
    var label = input.id && document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
    var text = label ? label.textContent.replace(/\s+/g, " ").replace(/\(required\)/, "").trim() : "";
    return text || input.name;
  }

  function takesFolders(input) {
    return input.dataset.picker === "Directory";
  }

  // The batch input takes several files even when the app's input takes one.
  function takesSeveral(input) {
    if (input.dataset.pickerMultiple === "1") return true;
    var mode = document.querySelector('input[name="batch-mode"]:checked');
    var batchInput = document.querySelector('[name="batch-input"]');
    return Boolean(
      mode && mode.value === "on" && batchInput && input.name === "inputs-" + batchInput.value
    );
  }

  function pickerUrl(input) {
    if (input.dataset.pickerUrl) return input.dataset.pickerUrl;
    var holder = input.closest("[data-picker-url]");
    if (holder) return holder.dataset.pickerUrl;
    var meta = document.querySelector('meta[name="picker-url"]');
    if (meta) return meta.content;
    var match = location.pathname.match(/^\/projects\/([^/]+)\/([^/]+)\//);
    return match ? "/projects/" + match[1] + "/" + match[2] + "/files" : null;
  }

  function loadStyles() {
    if (!scriptSrc || document.querySelector("link[data-picker-css]")) return;
    document.head.append(
      el("link", {
        rel: "stylesheet",
        href: scriptSrc.replace(/picker\.js(\?.*)?$/, "picker.css"),
        "data-picker-css": "",
      })
    );
  }

  // Names of ids the server rendered: data-picker-names='{"id": "name"}' on any element, and
  // the chosen files' spans (class chosen-file, data-file-id, the name as their text).
  function collectRenderedNames() {
    document.querySelectorAll("[data-picker-names]").forEach(function (node) {
      try {
        var known = JSON.parse(node.dataset.pickerNames);
        Object.keys(known).forEach(function (id) {
          names.set(id, String(known[id]));
        });
      } catch (error) {
        // Not JSON: nothing to learn from it.
      }
    });
    document.querySelectorAll(".chosen-file[data-file-id]").forEach(function (node) {
      if (!names.has(node.dataset.fileId)) names.set(node.dataset.fileId, node.textContent);
    });
  }

  // One request (one bulk call upstream) for every id whose name this page does not know yet.
  function fetchNames(url, ids) {
    var unknown = ids.filter(function (id) {
      return !names.has(id) && !asked.has(id);
    });
    unknown = Array.from(new Set(unknown)).slice(0, 500);
    unknown.forEach(function (id) {
      asked.add(id);
    });
    if (!url || !unknown.length) return Promise.resolve();
    var query = new URLSearchParams();
    unknown.forEach(function (id) {
      query.append("id", id);
    });
    return fetch(url + "/names?" + query, {
      headers: { "X-Requested-With": "picker", Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : { names: {} };
      })
      .then(function (data) {
        Object.keys(data.names || {}).forEach(function (id) {
          names.set(id, data.names[id]);
        });
        Object.keys(data.sizes || {}).forEach(function (id) {
          learn(id, { size: data.sizes[id] });
        });
      })
      .catch(function () {
        // The names are a convenience; the ids stay in the field either way.
      });
  }

  // Ids typed or pasted into any field: their names, in one look-up once the typing stops.
  function namesSoon() {
    clearTimeout(typing);
    typing = setTimeout(refreshNames, 400);
  }

  function refreshNames() {
    var all = [];
    enhanced.forEach(function (input) {
      all = all.concat(idsOf(input));
    });
    return fetchNames(enhanced.length ? pickerUrl(enhanced[0]) : null, all).then(function () {
      enhanced.forEach(renderChosen);
    });
  }

  // What is known of a file besides its name: its size and the folder it was chosen in.
  function learn(id, more) {
    var known = details.get(id) || {};
    Object.keys(more).forEach(function (key) {
      if (more[key]) known[key] = more[key];
    });
    details.set(id, known);
  }

  function aboutText(id) {
    var known = details.get(id) || {};
    return [
      "Folder: " + (known.folder || "not known"),
      "Size: " + (known.size || "not known"),
      "Id: " + id,
    ].join(" · ");
  }

  // ---- the chosen files under each field, as removable name chips ------------------------------

  function renderChosen(input) {
    var box = input.pickerChosen;
    var ids = idsOf(input);
    var what = takesFolders(input) ? "folder" : "file";
    box.replaceChildren();
    if (!ids.length) {
      box.append(el("p", { className: "picker-chosen-empty", text: "No " + what + " chosen." }));
      return;
    }
    box.append(
      el("p", {
        className: "picker-chosen-title",
        text: ids.length === 1 ? "Selected " + what + ":" :
          "Selected " + what + "s (" + ids.length.toLocaleString("en") + "):",
      })
    );
    var list = el("ul", { className: "picker-chosen-list picker-chips" });
    ids.forEach(function (id, n) {
      var name = names.get(id);
      var tipId = (input.id || input.name) + "-chip-" + n;
      var item = el("li", { className: "picker-chip" }, [
        name ?
          el("span", { className: "picker-chosen-name", tabindex: "0", "aria-describedby": tipId, text: name }) :
          el("code", { tabindex: "0", "aria-describedby": tipId, text: id }),
        el("span", { className: "picker-chip-info", role: "tooltip", id: tipId, text: aboutText(id) }),
      ]);
      if (!name) item.append(" ", el("span", { className: "picker-unknown", text: "(name not known)" }));
      var remove = el("button", { type: "button", className: "picker-remove" }, [
        el("span", { "aria-hidden": "true", text: "×" }),
        hidden("Remove " + (name || id)),
      ]);
      remove.addEventListener("click", function () {
        writeIds(input, idsOf(input).filter(function (other) { return other !== id; }));
        input.pickerButton.focus();
      });
      item.append(" ", remove);
      list.append(item);
    });
    box.append(list);
  }

  function writeIds(input, ids) {
    input.value = ids.join(" ");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    renderChosen(input);
  }

  // What the button says it chooses; it changes when the input becomes the batch input.
  function buttonText(input) {
    var several = takesSeveral(input);
    return "Choose " + (takesFolders(input) ? "folder" : "file") + (several ? "s" : "");
  }

  function enhance(input) {
    if (input.pickerButton) return;
    var label = inputLabel(input);
    var button = el("button", { type: "button", className: "picker-button", "aria-haspopup": "dialog" }, [
      buttonText(input),
      hidden(" for " + label),
      "…",
    ]);
    var chosen = el("div", {
      className: "picker-chosen",
      id: (input.id || input.name) + "-chosen",
      "aria-live": "polite",
    });
    // The raw ids stay one click away; a field the server found a problem in starts open.
    var editIds = el("button", {
      type: "button",
      className: "link-button picker-edit-ids",
      "aria-expanded": "false",
      "aria-controls": input.id,
    }, ["Edit ids", hidden(" of " + label)]);
    function showIds(open) {
      input.hidden = !open;
      editIds.setAttribute("aria-expanded", open ? "true" : "false");
      editIds.firstChild.textContent = open ? "Hide ids" : "Edit ids";
    }
    showIds(input.getAttribute("aria-invalid") === "true");
    editIds.addEventListener("click", function () {
      showIds(input.hidden);
      if (!input.hidden) input.focus();
    });
    var serverList = input.parentElement.querySelector(".chosen-files");
    if (serverList) serverList.hidden = true; // the chips say the same, and more
    // The companion check's marks (which chosen files lack an index) belong to the visible button.
    var marks = input.parentElement.querySelector(".preflight-marks");
    if (marks) button.setAttribute("aria-describedby", marks.id);
    input.pickerButton = button;
    input.pickerChosen = chosen;
    var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    describedBy.push(chosen.id);
    input.setAttribute("aria-describedby", describedBy.join(" "));
    input.after(el("div", { className: "picker-controls" }, [button, " ", editIds]), chosen);
    button.addEventListener("click", function () {
      picker.open(input);
    });
    input.addEventListener("input", function (event) {
      if (event.isTrusted) namesSoon();
    });
    enhanced.push(input);
    renderChosen(input);
  }

  // ---- the dialog ---------------------------------------------------------------------------------

  var picker = {
    dialog: null,
    input: null,
    selection: new Map(), // id -> name, in the order chosen
    several: false,

    build: function () {
      var dialog = el("dialog", {
        className: "picker-dialog",
        "aria-labelledby": "picker-title",
        "aria-describedby": "picker-rules",
      });
      this.title = el("h2", { id: "picker-title" });
      this.rules = el("p", { className: "help", id: "picker-rules" });
      this.body = el("div", { className: "picker-body" });
      this.live = el("p", { className: "visually-hidden", role: "status", "aria-live": "polite" });
      this.basketTitle = el("h3", { id: "picker-basket-title" });
      this.basketList = el("ul", { className: "picker-basket-list" });
      this.pageAll = el("button", { type: "button", className: "picker-page-all" }, [
        "Choose every file on this page",
      ]);
      this.pasteToggle = el("button", { type: "button", "aria-expanded": "false", "aria-controls": "picker-paste" }, [
        "Paste names…",
      ]);
      this.paste = this.buildPaste();
      this.allButton = el("button", { type: "button", hidden: "" });
      this.allProgress = el("progress", { id: "picker-all-progress", max: "1", value: "0", hidden: "" });
      this.allStatus = el("p", { className: "picker-all-status", role: "status" });
      this.allBox = el("div", { className: "picker-all" }, [
        this.allButton,
        el("label", { for: "picker-all-progress", className: "visually-hidden", text: "Pages fetched" }),
        this.allProgress,
        this.allStatus,
      ]);
      this.allButton.addEventListener("click", this.chooseAll.bind(this));
      this.clearButton = el("button", { type: "button", className: "link-button", hidden: "" }, ["Clear the choice"]);
      this.clearButton.addEventListener("click", this.clearAll.bind(this));
      var done = el("button", { type: "button", className: "primary", "data-picker-done": "" }, ["Done"]);
      var cancel = el("button", { type: "button", "data-picker-cancel": "" }, ["Cancel"]);
      dialog.append(
        el("div", { className: "picker-head" }, [this.title, this.rules]),
        this.paste,
        this.body,
        this.allBox,
        this.live,
        el("section", { className: "picker-basket", "aria-labelledby": "picker-basket-title" }, [
          this.basketTitle,
          this.clearButton,
          this.basketList,
        ]),
        el("div", { className: "picker-actions" }, [done, cancel, this.pageAll, this.pasteToggle])
      );
      document.body.append(dialog); // outside every form: the fragment has forms of its own

      done.addEventListener("click", this.done.bind(this));
      cancel.addEventListener("click", function () {
        dialog.close();
      });
      this.pageAll.addEventListener("click", this.chooseWholePage.bind(this));
      this.pasteToggle.addEventListener("click", this.togglePaste.bind(this));
      dialog.addEventListener("close", this.closed.bind(this));
      this.body.addEventListener("click", this.navigateByLink.bind(this));
      this.body.addEventListener("submit", this.navigateByForm.bind(this));
      this.body.addEventListener("change", this.choiceChanged.bind(this));
      this.dialog = dialog;
    },

    open: function (input) {
      if (!this.dialog) this.build();
      var url = pickerUrl(input);
      if (!url) return;
      this.input = input;
      this.several = takesSeveral(input);
      this.selection = new Map();
      var self = this;
      idsOf(input).forEach(function (id) {
        self.selection.set(id, names.get(id) || id);
      });
      var folders = takesFolders(input);
      var noun = folders ? (this.several ? "folders" : "a folder") : this.several ? "files" : "a file";
      this.title.textContent = "Choose " + noun + " for " + inputLabel(input);
      var types = (input.dataset.pickerFileTypes || "").split(",").map(function (t) {
        return t.trim().replace(/^\./, "").toLowerCase();
      }).filter(Boolean);
      var rules = this.several ? "You can choose several; your choice is kept while you browse." :
        "Choosing one replaces the previous choice. To run the app once per " +
        (folders ? "folder" : "file") + ", turn on Batch with this input first: then you can choose several.";
      if (types.length && !folders) {
        rules = "This input takes ." + types.join(", .") + " files. " + rules;
      }
      this.rules.textContent = rules;
      this.pageAll.hidden = !this.several;
      this.pasteToggle.hidden = !this.several;
      this.showPaste(false);
      this.pageAll.textContent = "Choose every " + (folders ? "folder" : "file") + " on this page";
      var query = new URLSearchParams();
      if (types.length && !folders) query.set("types", types.join(","));
      if (folders) query.set("kind", "Directory");
      if (this.several) query.set("multiple", "1");
      this.renderBasket();
      this.dialog.showModal();
      this.load(url + (query.toString() ? "?" + query : ""), false);
    },

    load: function (url, moveFocus) {
      var self = this;
      var request = (this.requests = (this.requests || 0) + 1);
      function stale() {
        return request !== self.requests || !self.dialog.open; // a later click won, or closed
      }
      this.body.setAttribute("aria-busy", "true");
      this.live.textContent = "Loading…";
      return fetch(url, { headers: { "X-Requested-With": "picker" }, credentials: "same-origin" })
        .then(function (response) {
          var html = response.headers.get("Content-Type") || "";
          if (!/text\/html/.test(html) || response.redirected) {
            throw new Error("Your sign-in may have expired. Close this dialog and submit the form.");
          }
          return response.text();
        })
        .then(function (html) {
          if (stale()) return;
          var template = document.createElement("template");
          template.innerHTML = html;
          if (!template.content.querySelector("[data-picker-listing]")) {
            throw new Error("The file list could not be loaded. Close this dialog and try again.");
          }
          self.body.replaceChildren(template.content);
        })
        .catch(function (error) {
          if (stale()) return;
          var message = error instanceof TypeError ?
            "The file list could not be loaded (no connection to this site)." : error.message;
          self.body.replaceChildren(
            el("div", { className: "picker-listing picker-problem" }, [
              el("h3", { className: "picker-where", tabindex: "-1", "data-picker-focus": "", text: "Files could not be listed" }),
              el("p", { className: "error", role: "alert", text: message }),
            ])
          );
        })
        .then(function () {
          if (stale()) return;
          self.body.removeAttribute("aria-busy");
          self.syncChoices();
          self.offerAll();
          var summary = self.body.querySelector("[data-picker-summary]");
          var where = self.body.querySelector("[data-picker-focus]");
          self.live.textContent = [where && where.textContent, summary && summary.textContent]
            .filter(Boolean).join(". ").replace(/\s+/g, " ").trim();
          if (moveFocus && where) where.focus();
          else if (!moveFocus) {
            var first = self.body.querySelector("input:not([type=hidden]), a[href], button");
            if (first) first.focus();
          }
        });
    },

    navigateByLink: function (event) {
      var link = event.target.closest("a[data-picker-nav]");
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
          event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      this.load(link.getAttribute("href"), true);
    },

    navigateByForm: function (event) {
      var form = event.target.closest("form[data-picker-nav]");
      if (!form) return;
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form));
      this.load(form.getAttribute("action") + "?" + query, true);
    },

    // The folder the listing shows, for the chips' details.
    whereNow: function () {
      var heading = this.body.querySelector("[data-picker-focus]");
      var text = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
      return text.replace(/^Folder /, "") || "";
    },

    choiceChanged: function (event) {
      var box = event.target;
      if (!box.matches("[data-picker-choice]")) return;
      names.set(box.value, box.dataset.name);
      learn(box.value, { size: box.dataset.size, folder: this.whereNow() });
      if (!this.several) this.selection.clear();
      if (box.checked) this.selection.set(box.value, box.dataset.name);
      else this.selection.delete(box.value);
      this.renderBasket();
    },

    // ---- paste a list of names: found where the dialog is, several names a call ----------------

    buildPaste: function () {
      this.pasteText = el("textarea", {
        id: "picker-paste-text",
        rows: "6",
        spellcheck: "false",
        autocomplete: "off",
        "aria-describedby": "picker-paste-help",
      });
      this.pasteFind = el("button", { type: "button", className: "primary" }, ["Find these names"]);
      this.pasteResult = el("div", { className: "picker-paste-result", "aria-live": "polite" });
      var panel = el("section", { className: "picker-paste", id: "picker-paste", "aria-labelledby": "picker-paste-title", hidden: "" }, [
        el("h3", { id: "picker-paste-title", text: "Paste file names" }),
        el("label", { for: "picker-paste-text", text: "File names, one a line" }),
        el("p", {
          className: "help",
          id: "picker-paste-help",
          text: "Exact names as on CAVATICA, for example a column copied from a spreadsheet. " +
            "They are looked for in the folder shown below; the ones found are added to your choice.",
        }),
        this.pasteText,
        el("div", { className: "picker-paste-actions" }, [this.pasteFind]),
        this.pasteResult,
      ]);
      this.pasteFind.addEventListener("click", this.findPasted.bind(this));
      panel.addEventListener("change", this.severalChosen.bind(this));
      return panel;
    },

    showPaste: function (open) {
      this.paste.hidden = !open;
      this.pasteToggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) this.pasteResult.replaceChildren();
    },

    togglePaste: function () {
      var open = this.paste.hidden;
      this.showPaste(open);
      if (open) this.pasteText.focus();
    },

    findPasted: function () {
      var self = this;
      var listing = this.body.querySelector("[data-picker-listing]");
      var where = this.body.querySelector("[data-picker-focus]");
      var token = document.querySelector('input[name="csrf_token"]');
      var form = new URLSearchParams();
      form.set("names", this.pasteText.value);
      form.set("parent", (listing && listing.dataset.pickerParent) || "");
      form.set("kind", takesFolders(this.input) ? "Directory" : "File");
      this.pasteFind.disabled = true;
      this.pasteResult.replaceChildren(el("p", { text: "Looking for the names…" }));
      fetch(pickerUrl(this.input) + "/find-names", {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-Requested-With": "picker", "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json().catch(function () {
            return { error: "The names could not be looked up. Close this dialog and try again." };
          });
        })
        .then(function (data) {
          self.showFound(data, where ? where.textContent.trim() : "this folder");
        })
        .catch(function () {
          self.showFound({ error: "The names could not be looked up (no connection to this site)." });
        })
        .then(function () {
          self.pasteFind.disabled = false;
        });
    },

    showFound: function (data, where) {
      var self = this;
      var out = this.pasteResult;
      out.replaceChildren();
      if (data.error) {
        out.append(el("p", { className: "error", role: "alert", text: data.error }));
        return;
      }
      data.found.forEach(function (file) {
        names.set(file.id, file.name);
        learn(file.id, { size: file.size, folder: where });
        self.selection.set(file.id, file.name);
      });
      this.syncChoices();
      this.renderBasket();
      out.append(
        el("p", {
          className: "picker-paste-summary",
          text: "Looked in " + where + ": " + data.found.length + " of " + data.asked +
            " names found and added to your choice" +
            (data.several.length ? "; " + data.several.length + " match several files" : "") +
            (data.missing.length ? "; " + data.missing.length + " not found" : "") + ".",
        })
      );
      if (data.several.length) {
        out.append(el("h4", { text: "Names that match several files: choose one of each" }));
        data.several.forEach(function (entry, n) {
          var set = el("fieldset", { className: "picker-several" }, [el("legend", { text: entry.name })]);
          entry.files.forEach(function (file, m) {
            var id = "picker-several-" + n + "-" + m;
            set.append(
              el("div", { className: "check" }, [
                el("input", { type: "radio", name: "picker-several-" + n, id: id, value: file.id, "data-name": file.name, "data-size": file.size || "" }),
                el("label", { for: id, text: file.name + " (" + (file.size || "size unknown") + ", id " + file.id + ")" }),
              ])
            );
          });
          out.append(set);
        });
      }
      if (data.missing.length) {
        out.append(el("h4", { text: "Not found (" + data.missing.length + ")" }));
        var list = el("ul", { className: "picker-missing" });
        data.missing.forEach(function (name) {
          list.append(el("li", { text: name }));
        });
        out.append(list);
      }
    },

    // One file of a name that matched several: it replaces the other choices for that name.
    severalChosen: function (event) {
      var radio = event.target;
      if (!radio.matches(".picker-several input[type=radio]")) return;
      var self = this;
      radio.closest("fieldset").querySelectorAll("input[type=radio]").forEach(function (other) {
        self.selection.delete(other.value);
      });
      names.set(radio.value, radio.dataset.name);
      learn(radio.value, { size: radio.dataset.size, folder: this.whereNow() });
      this.selection.set(radio.value, radio.dataset.name);
      this.syncChoices();
      this.renderBasket();
    },

    // ---- "Choose all N that match": every page of the listing, fetched in parallel ------------

    offerAll: function () {
      var listing = this.body.querySelector("[data-picker-listing]");
      var total = listing ? parseInt(listing.dataset.pickerTotal, 10) || 0 : 0;
      var limit = listing ? parseInt(listing.dataset.pickerLimit, 10) || 0 : 0;
      var offered = Boolean(this.several && listing && listing.dataset.pickerScoped && total > 0 &&
        listing.dataset.pickerMatching);
      this.allListing = listing;
      this.allProgress.hidden = true;
      this.allStatus.textContent = "";
      this.allButton.hidden = !offered || total > limit;
      if (!offered) return;
      if (total > limit) {
        this.allStatus.textContent = total.toLocaleString("en") + " items match: more than " +
          limit.toLocaleString("en") + " cannot be chosen at once. Narrow the filters to choose them all.";
        return;
      }
      this.allTotal = total;
      this.allButton.textContent = "Choose all " + total.toLocaleString("en") + " that match";
    },

    chooseAll: function () {
      var self = this;
      var total = this.allTotal;
      var base = new URL(this.allListing.dataset.pickerMatching, location.href);
      var where = this.whereNow();
      var offsets = [];
      for (var offset = 0; offset < total; offset += 100) offsets.push(offset);
      var pages = new Array(offsets.length);
      var done = 0;
      var failed = null;
      var next = 0;
      this.allButton.disabled = true;
      this.allProgress.hidden = false;
      this.allProgress.max = total;
      this.allProgress.value = 0;
      this.allStatus.textContent = "Fetching the list: 0 of " + total.toLocaleString("en") + "…";
      function worker() {
        if (failed || next >= offsets.length) return Promise.resolve();
        var index = next++;
        var url = new URL(base);
        url.searchParams.set("offset", offsets[index]);
        return fetch(url, { headers: { "X-Requested-With": "picker" }, credentials: "same-origin" })
          .then(function (response) {
            return response.json().then(function (data) {
              if (!response.ok) throw new Error(data.error || "The list could not be fetched.");
              return data;
            });
          })
          .then(function (data) {
            pages[index] = data.items;
            done += data.count;
            self.allProgress.value = Math.min(done, total);
            self.allStatus.textContent = "Fetching the list: " + Math.min(done, total).toLocaleString("en") +
              " of " + total.toLocaleString("en") + "…";
          })
          .catch(function (error) {
            failed = error instanceof TypeError ? "no connection to this site" : error.message;
          })
          .then(worker);
      }
      var workers = [];
      for (var n = 0; n < Math.min(4, offsets.length); n++) workers.push(worker());
      Promise.all(workers).then(function () {
        self.allButton.disabled = false;
        if (failed) {
          self.allStatus.textContent = "Not every page could be fetched (" + failed + "), so nothing was added.";
          return;
        }
        var added = 0;
        pages.forEach(function (items) {
          (items || []).forEach(function (file) {
            names.set(file.id, file.name);
            learn(file.id, { size: file.size, folder: where });
            if (!self.selection.has(file.id)) added += 1;
            self.selection.set(file.id, file.name);
          });
        });
        self.syncChoices();
        self.renderBasket();
        self.allStatus.textContent = "Added " + added.toLocaleString("en") + " to your choice; it holds " +
          self.selection.size.toLocaleString("en") + ".";
      });
    },

    clearAll: function () {
      this.selection.clear();
      this.syncChoices();
      this.renderBasket();
      this.live.textContent = "Your choice is empty.";
      this.dialog.querySelector("[data-picker-done]").focus();
    },

    chooseWholePage: function () {
      var self = this;
      var where = this.whereNow();
      this.body.querySelectorAll("[data-picker-choice]").forEach(function (box) {
        names.set(box.value, box.dataset.name);
        learn(box.value, { size: box.dataset.size, folder: where });
        self.selection.set(box.value, box.dataset.name);
      });
      this.syncChoices();
      this.renderBasket();
    },

    syncChoices: function () {
      var self = this;
      this.body.querySelectorAll("[data-picker-choice]").forEach(function (box) {
        box.checked = self.selection.has(box.value);
      });
    },

    renderBasket: function () {
      var self = this;
      var count = this.selection.size;
      this.basketTitle.textContent = count ? "Chosen (" + count.toLocaleString("en") + ")" : "Nothing chosen yet";
      this.clearButton.hidden = count < 2;
      this.basketList.replaceChildren();
      this.selection.forEach(function (name, id) {
        var shown = names.get(id) || name;
        var remove = el("button", { type: "button", className: "link-button" }, [
          "Remove",
          hidden(" " + shown),
        ]);
        remove.addEventListener("click", function () {
          self.selection.delete(id);
          self.syncChoices();
          self.renderBasket();
          self.live.textContent = shown + " removed. " + self.basketTitle.textContent + ".";
          (self.basketList.querySelector("button") || self.dialog.querySelector("[data-picker-done]")).focus();
        });
        self.basketList.append(el("li", {}, [el("span", { text: shown }), " ", remove]));
      });
    },

    done: function () {
      var input = this.input;
      this.selection.forEach(function (name, id) {
        if (name && name !== id) names.set(id, name);
      });
      writeIds(input, Array.from(this.selection.keys()));
      this.dialog.close();
    },

    closed: function () {
      if (this.input) this.input.pickerButton.focus();
      this.body.replaceChildren();
    },
  };

  // ---- start ------------------------------------------------------------------------------------

  function start() {
    var selector = "input[data-picker], textarea[data-picker]";
    // Rows added by static/inputs.js (arrays of files, records with files) get their picker too.
    document.addEventListener("inputs:row-added", function (event) {
      var added = Array.from(event.detail.row.querySelectorAll(selector));
      if (!added.length) return;
      loadStyles();
      added.forEach(enhance);
    });
    // The batch input takes several files: its button says so.
    document.addEventListener("change", function (event) {
      if (event.target.matches('[name="batch-mode"], [name="batch-input"]')) {
        enhanced.forEach(function (input) {
          input.pickerButton.firstChild.textContent = buttonText(input);
        });
      }
    });
    var inputs = Array.from(document.querySelectorAll(selector));
    if (!inputs.length) return;
    loadStyles();
    collectRenderedNames();
    inputs.forEach(enhance);
    refreshNames();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
