/* Follow a task from its page after Run: the page asks views/runs.py for its changing parts
   (status, execution counts, the page of child tasks shown) and swaps them in place, keeping the
   reader's scroll position and focus. It asks every few seconds, less often while nothing
   changes or when the server is in trouble, never while the tab is hidden, and stops for good
   once the task has ended. Without this script the page is the same, as of when it loaded. */
(function () {
  "use strict";

  var box = document.getElementById("task-follow");
  if (!box || box.dataset.followActive !== "1" || !window.fetch) return;

  var base = Math.max(0.2, parseFloat(box.dataset.followSeconds) || 5) * 1000;
  var QUIET_MAX = 6; // unchanged: the wait grows to 6 times the base
  var TROUBLE_MAX = 12; // errors: up to 12 times
  var delay = base;
  var timer = null;
  var inFlight = false;
  var waitingForTab = false;
  var note = document.getElementById("follow-note");
  var announce = document.getElementById("follow-announce");
  var status = currentStatus();

  function currentStatus() {
    var badge = document.querySelector("#live-status .status");
    return badge ? badge.textContent.trim() : "";
  }

  function clock() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function say(text) {
    note.replaceChildren(document.createTextNode(text + " "), checkNowButton);
  }

  var checkNowButton = document.createElement("button");
  checkNowButton.type = "button";
  checkNowButton.className = "link-button";
  checkNowButton.textContent = "Check now";
  checkNowButton.addEventListener("click", function () {
    delay = base;
    check();
  });

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, delay);
  }

  function stop(text) {
    clearTimeout(timer);
    box.dataset.followActive = "0";
    note.textContent = text;
  }

  // What has focus inside a part about to be replaced, to find its twin in the new part.
  function focusKey(part) {
    var active = document.activeElement;
    if (!active || !part.contains(active) || active === part) return null;
    return {
      id: active.id,
      href: active.getAttribute("href"),
      text: active.textContent,
    };
  }

  function refocus(part, key) {
    var twin = null;
    if (key.id) twin = document.getElementById(key.id);
    if (!twin && key.href) {
      twin = Array.from(part.querySelectorAll("a[href]")).find(function (link) {
        return link.getAttribute("href") === key.href;
      });
    }
    if (!twin) {
      twin = Array.from(part.querySelectorAll("a, button")).find(function (node) {
        return node.textContent === key.text;
      });
    }
    if (!twin) {
      twin = part;
      part.setAttribute("tabindex", "-1");
    }
    twin.focus({ preventScroll: true });
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var root = template.content.querySelector("[data-follow-state]");
    if (!root) throw new Error("unreadable");
    var x = window.scrollX;
    var y = window.scrollY;
    root.querySelectorAll("[data-live-part]").forEach(function (fresh) {
      var old = document.getElementById(fresh.id);
      if (!old) return;
      var key = focusKey(old);
      old.replaceWith(fresh);
      if (key) refocus(fresh, key);
    });
    window.scrollTo(x, y);
    box.dataset.followState = root.dataset.followState;
    var now = root.dataset.followStatus;
    if (now && now !== status) {
      announce.textContent = "Task status: " + now + ".";
      status = now;
    }
    return root.dataset.followActive === "1";
  }

  function check() {
    clearTimeout(timer);
    if (inFlight) return;
    if (document.hidden) {
      waitingForTab = true; // looked at again when the tab is shown
      return;
    }
    inFlight = true;
    var url = new URL(box.dataset.followUrl, location.href);
    url.searchParams.set("state", box.dataset.followState);
    fetch(url, {
      headers: { "X-Requested-With": "follow" },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
    })
      .then(function (response) {
        if (response.status === 204) {
          delay = Math.min(delay * 1.5, base * QUIET_MAX);
          return true;
        }
        if (response.status === 401 || response.type === "opaqueredirect") {
          stop("This page stopped following the task: sign in again, then reload it.");
          return false;
        }
        if (!response.ok) {
          var retry = parseInt(response.headers.get("Retry-After"), 10);
          delay = Math.min(delay * 2, base * TROUBLE_MAX);
          if (retry > 0) delay = Math.max(delay, retry * 1000);
          return response.text().then(function (text) {
            say((text || "The status could not be checked.") + " Trying again in " +
              Math.round(delay / 1000) + " s.");
            return "trouble";
          });
        }
        return response.text().then(function (html) {
          delay = base;
          return apply(html);
        });
      })
      .catch(function () {
        delay = Math.min(delay * 2, base * TROUBLE_MAX);
        say("The status could not be checked (no connection). Trying again in " +
          Math.round(delay / 1000) + " s.");
        return "trouble";
      })
      .then(function (going) {
        inFlight = false;
        if (going === false) {
          if (box.dataset.followActive === "1") {
            stop("The task has ended (" + currentStatus() + "): this page no longer checks it.");
          }
          return;
        }
        if (going === true) {
          say("This page follows the task by itself until it ends; last checked at " + clock() + ".");
        }
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && waitingForTab) {
      waitingForTab = false;
      delay = base;
      check();
    }
  });

  note.hidden = false;
  say("This page follows the task by itself until it ends.");
  schedule();
})();
