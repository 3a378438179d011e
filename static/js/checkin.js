/* Check-in desk: sends check-ins as JSON calls (with the CSRF token), searches as one types,
   refreshes the counts, and never pretends a check-in succeeded when the network is down: the
   scan is queued on this device (localStorage) and sent when the network returns, and its real
   result is shown then. Without this script the page still works with plain forms. */
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  if (!root || !root.dataset.scanUrl) {
    return; // no desk chosen yet: plain form only
  }
  var data = root.dataset;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var queueKey = "eventapp.checkin.queue." + data.eventId;
  var pollMs = Math.max(1, parseInt(data.pollSeconds || "5", 10)) * 1000;
  var MAX_TRIES = 5;
  var SIGNS = { ok: "\u2713", warn: "!", stop: "\u2715", info: "i", queued: "\u2026" };

  var resultBox = document.getElementById("checkin-result");
  var countsBox = document.getElementById("checkin-counts");
  var networkBox = document.getElementById("network-status");
  var networkQueue = document.getElementById("network-queue");
  var networkText = document.getElementById("network-text");
  var codeForm = document.getElementById("code-form");
  var codeInput = document.getElementById("code");
  var searchForm = document.getElementById("search-form");
  var searchInput = document.getElementById("q");
  var searchResults = document.getElementById("search-results");
  var queueSection = document.getElementById("queue-section");
  var queueList = document.getElementById("queue-results");
  var walkInForm = document.getElementById("walk-in-form");

  var online = navigator.onLine !== false;
  var flushing = false;

  function text(key) {
    return data["t" + key] || "";
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = content;
    return node;
  }

  /* --- requests ------------------------------------------------------------------------ */

  // Resolves {status, body} for a JSON answer; rejects {kind: "network"} when the request did
  // not get through, {kind: "session"} when the answer is not JSON (logged out: login page).
  function call(url, method, params) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      cache: "no-store",
    };
    if (params) {
      options.headers["Content-Type"] = "application/x-www-form-urlencoded";
      options.body = new URLSearchParams(params).toString();
    }
    return fetch(url, options).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw { kind: response.status >= 500 ? "server" : "session" };
        }
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      },
      function () {
        throw { kind: "network" };
      }
    );
  }

  /* --- showing results ----------------------------------------------------------------- */

  function fillResult(box, result, withActions) {
    box.textContent = "";
    box.className = "result result-" + result.tone;
    var title = el("p", "result-title");
    var sign = el("span", "result-sign", SIGNS[result.tone] || "");
    sign.setAttribute("aria-hidden", "true");
    title.appendChild(sign);
    title.appendChild(document.createTextNode(" "));
    title.appendChild(el("span", "result-text", result.title));
    box.appendChild(title);
    if (result.details) box.appendChild(el("p", "result-details", result.details));
    if (withActions && (result.undo_url || result.badge_url)) {
      var actions = el("div", "result-actions");
      if (result.undo_url) {
        var undo = el("button", "button", text("UndoThis"));
        undo.type = "button";
        undo.addEventListener("click", function () {
          undoCheckin(result.undo_url);
        });
        actions.appendChild(undo);
      }
      if (result.badge_url) {
        var badge = el("a", "button", text("PrintBadge"));
        badge.href = result.badge_url;
        actions.appendChild(badge);
      }
      box.appendChild(actions);
    }
  }

  function showResult(result) {
    fillResult(resultBox, result, true);
    // Replay the highlight so two identical results in a row are still noticed.
    void resultBox.offsetWidth;
    resultBox.classList.add("result-flash");
    if (result.counts) showCounts(result.counts);
    // On a phone the camera pushes the result out of sight: bring it back.
    var box = resultBox.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      resultBox.scrollIntoView({ block: "nearest" });
    }
  }

  function showProblem(message) {
    showResult({ tone: "stop", title: text("ErrorTitle"), details: message });
  }

  function showCounts(counts) {
    if (counts && counts.text) countsBox.textContent = counts.text;
  }

  /* --- network state and the offline queue --------------------------------------------- */

  function loadQueue() {
    try {
      var items = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue(items) {
    try {
      window.localStorage.setItem(queueKey, JSON.stringify(items));
    } catch (error) {
      /* storage full or disabled: the banner still shows the scan was not recorded */
    }
  }

  function renderNetwork() {
    var waiting = loadQueue().length;
    networkBox.hidden = online && waiting === 0;
    networkText.textContent = online ? text("OnlineAgain") : text("Offline");
    networkQueue.textContent = waiting ? text("OfflineQueue") + " " + waiting : "";
    root.classList.toggle("is-offline", !online);
  }

  function setOnline(state) {
    var changed = state !== online;
    online = state;
    renderNetwork();
    if (state && changed) flushQueue();
  }

  function clock(ms) {
    var date = new Date(ms);
    return date.toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  function enqueue(item) {
    var items = loadQueue();
    item.at = Date.now();
    items.push(item);
    saveQueue(items);
    setOnline(false);
    showResult({
      tone: "queued",
      title: text("QueuedTitle"),
      details: text("QueuedDetails") + (item.label ? " (" + item.label + ")" : ""),
    });
  }

  function reportQueued(item, result) {
    queueSection.hidden = false;
    var entry = el("li");
    var box = el("div");
    fillResult(box, result, false);
    var when = el("p", "result-details", text("QueuedAt") + " " + clock(item.at));
    box.appendChild(when);
    entry.appendChild(box);
    queueList.insertBefore(entry, queueList.firstChild);
  }

  // Send the queued scans one by one, oldest first; stop at the first that does not get
  // through (still offline). Each real result is listed under "Scans sent after a network loss".
  function flushQueue() {
    if (flushing) return;
    var items = loadQueue();
    if (!items.length) {
      renderNetwork();
      return;
    }
    flushing = true;
    var item = items[0];
    call(item.url, "POST", item.params)
      .then(function (answer) {
        if (answer.status >= 500) throw { kind: "server" };
        var rest = loadQueue().slice(1);
        saveQueue(rest);
        setOnline(true);
        if (answer.body && answer.body.error) {
          reportQueued(item, { tone: "stop", title: text("ErrorTitle"), details: answer.body.error.message });
        } else {
          reportQueued(item, answer.body);
          showCounts(answer.body.counts);
        }
        flushing = false;
        renderNetwork();
        if (rest.length) flushQueue();
      })
      .catch(function (problem) {
        flushing = false;
        if (problem && problem.kind === "session") {
          showProblem(text("Session"));
        } else if (problem && problem.kind === "server") {
          // The server answered but could not record it (e.g. database unavailable): retry a
          // few times, then report it rather than block the scans behind it.
          var current = loadQueue();
          if (!current.length) return;
          current[0].tries = (current[0].tries || 0) + 1;
          if (current[0].tries >= MAX_TRIES) {
            var failed = current.shift();
            reportQueued(failed, { tone: "stop", title: text("ErrorTitle"), details: text("Server") });
          }
          saveQueue(current);
          renderNetwork();
        } else {
          setOnline(false);
        }
      });
  }

  /* --- actions --------------------------------------------------------------------------- */

  function submit(url, params, label) {
    if (!online || navigator.onLine === false) {
      enqueue({ url: url, params: params, label: label });
      return;
    }
    call(url, "POST", params)
      .then(function (answer) {
        if (answer.status >= 500) throw { kind: "server" };
        setOnline(true);
        if (answer.body && answer.body.error) {
          showProblem(answer.body.error.message);
          return;
        }
        showResult(answer.body);
        refreshSearch();
      })
      .catch(function (problem) {
        if (problem && problem.kind === "session") {
          showProblem(text("Session"));
        } else {
          // Network down, or the server could not record it: nothing was saved, keep it.
          enqueue({ url: url, params: params, label: label });
        }
      });
  }

  function undoCheckin(url) {
    if (!online) {
      showProblem(text("UndoOffline"));
      return;
    }
    call(url, "POST", {})
      .then(function (answer) {
        if (answer.body && answer.body.error) {
          showProblem(answer.body.error.message);
          return;
        }
        showResult(answer.body);
        refreshSearch();
      })
      .catch(function (problem) {
        if (problem && problem.kind === "session") {
          showProblem(text("Session"));
        } else {
          setOnline(false);
          showProblem(text("UndoOffline"));
        }
      });
  }

  document.addEventListener("checkin:code", function (event) {
    var code = String(event.detail || "").trim();
    if (code) submit(data.scanUrl, { code: code }, "");
  });

  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    if (!code) {
      codeInput.focus();
      return;
    }
    codeInput.value = "";
    codeInput.focus();
    submit(data.scanUrl, { code: code }, code.length <= 24 ? code : "");
  });

  // Buttons in server-rendered results and in the result box (without JS they post normally).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("js-checkin")) {
      event.preventDefault();
      var person = form.closest(".person");
      var name = person ? person.querySelector(".person-name") : null;
      submit(form.action, {}, name ? name.textContent : "");
    } else if (form.classList.contains("js-undo")) {
      event.preventDefault();
      undoCheckin(form.action);
    }
  });

  if (walkInForm) {
    var walkInOffline = document.getElementById("walk-in-offline");
    walkInForm.addEventListener("submit", function (event) {
      // A plain form post: offline it would land on the browser's error page and lose what
      // was typed. Keep the form and say why.
      var offline = !online || navigator.onLine === false;
      walkInOffline.hidden = !offline;
      if (offline) event.preventDefault();
    });
  }

  /* --- search as you type ---------------------------------------------------------------- */

  var searchTimer = null;
  var searchSeq = 0;

  function renderPeople(body) {
    searchResults.textContent = "";
    if (!body.results.length) {
      if (body.message) searchResults.appendChild(el("p", "", body.message));
      return;
    }
    var list = el("ul", "people");
    body.results.forEach(function (person) {
      var item = el(
        "li",
        "person person-" + person.status + (person.checked_in ? " person-checked-in" : "")
      );
      var main = el("div", "person-main");
      main.appendChild(el("strong", "person-name", person.name));
      if (person.organisation) main.appendChild(el("span", "person-org", person.organisation));
      main.appendChild(el("span", "person-category", person.category));
      item.appendChild(main);
      var state = el("p", "person-state");
      state.appendChild(el("span", "status status-" + person.status, person.status_label));
      if (person.checked_in) {
        state.appendChild(el("span", "person-checked", "\u2713 " + person.checked_in_text));
      }
      item.appendChild(state);
      var actions = el("div", "person-actions");
      var button;
      if (person.status === "confirmed" && !person.checked_in) {
        button = el("button", "button button-primary", text("CheckIn"));
        button.type = "button";
        button.appendChild(el("span", "visually-hidden", " " + person.name));
        button.addEventListener("click", function () {
          submit(person.checkin_url, {}, person.name);
        });
        actions.appendChild(button);
      } else if (person.checked_in) {
        button = el("button", "button", text("Undo"));
        button.type = "button";
        button.appendChild(el("span", "visually-hidden", " " + person.name));
        button.addEventListener("click", function () {
          undoCheckin(person.undo_url);
        });
        actions.appendChild(button);
      }
      if (person.status === "confirmed") {
        var badge = el("a", "button", text("Badge"));
        badge.href = person.badge_url;
        badge.appendChild(el("span", "visually-hidden", " " + person.name));
        badge.appendChild(document.createTextNode(" (PDF)"));
        actions.appendChild(badge);
      }
      item.appendChild(actions);
      list.appendChild(item);
    });
    searchResults.appendChild(list);
  }

  function runSearch() {
    var query = searchInput.value.trim();
    var seq = ++searchSeq;
    if (!query) {
      searchResults.textContent = "";
      return;
    }
    if (!online) {
      searchResults.textContent = "";
      searchResults.appendChild(el("p", "", text("SearchOffline")));
      return;
    }
    call(data.searchUrl + "?q=" + encodeURIComponent(query), "GET")
      .then(function (answer) {
        if (seq !== searchSeq) return; // an older answer arriving late
        setOnline(true);
        if (answer.body && answer.body.results) renderPeople(answer.body);
      })
      .catch(function (problem) {
        if (seq !== searchSeq) return;
        searchResults.textContent = "";
        if (problem && problem.kind === "session") {
          searchResults.appendChild(el("p", "", text("Session")));
        } else {
          setOnline(false);
          searchResults.appendChild(el("p", "", text("SearchOffline")));
        }
      });
  }

  function refreshSearch() {
    if (searchInput.value.trim()) runSearch();
  }

  searchInput.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(runSearch, 180);
  });
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(searchTimer);
    runSearch();
  });

  /* --- live counts ------------------------------------------------------------------------- */

  function poll() {
    call(data.countsUrl, "GET")
      .then(function (answer) {
        if (answer.status < 500 && answer.body) {
          showCounts(answer.body);
          setOnline(true);
          if (loadQueue().length) flushQueue();
        }
      })
      .catch(function (problem) {
        if (problem && problem.kind === "network") setOnline(false);
      })
      .then(function () {
        window.setTimeout(poll, pollMs);
      });
  }

  window.addEventListener("offline", function () {
    setOnline(false);
  });
  window.addEventListener("online", function () {
    // The browser thinks the network is back: check with the server before sending.
    pollOnce();
  });

  function pollOnce() {
    call(data.countsUrl, "GET")
      .then(function (answer) {
        if (answer.body) showCounts(answer.body);
        setOnline(true);
        flushQueue();
      })
      .catch(function () {
        setOnline(false);
      });
  }

  renderNetwork();
  if (loadQueue().length && online) flushQueue();
  window.setTimeout(poll, pollMs);
  root.classList.add("js-ready");
})();
