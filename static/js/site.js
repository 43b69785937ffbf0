/*
 * The knowledge base's small conveniences: keyboard search, copy buttons, local dates.
 *
 * Every page works without this file. What only makes sense with JavaScript (the copy buttons,
 * the "Press / to search" hint) is created or shown here; everything else is a plain link or
 * the server's own text that this file improves. htmx is used when it is there, never needed.
 * Listeners sit on the document, so content that htmx swaps in (live search results, a page
 * restored from htmx's history cache) works without being wired up again.
 */
(function () {
  "use strict";

  var COPIED_FOR_MS = 2000;

  function searchBox() {
    return document.getElementById("site-search");
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#main .result-list .result-link"));
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    return root.matches && root.matches(selector) ? [root].concat(found) : found;
  }

  // One polite live region for the whole page: screen readers hear "Copied to clipboard" and
  // the number of live search results without their focus moving.
  function announcer() {
    var region = document.getElementById("announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(message) {
    var region = announcer();
    // Emptied first and filled on the next tick, so the same message twice is read twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  /* Keyboard search ------------------------------------------------------------------------
   *
   * `/` focuses the search box; ArrowDown and ArrowUp move between the box and the result
   * links; Enter opens a result because it is a real link; Escape undoes the live search.
   *
   * Why real focus on real links, and not role="listbox" with aria-activedescendant: the
   * results are page content (a heading, then an <ol> of links with snippets) that htmx swaps
   * into <main>, not a popup attached to the box. Options of a listbox may not contain links,
   * so that pattern would mean invalid markup and results that no longer work as links.
   * Moving focus to the links themselves needs no extra ARIA: each is announced as a link
   * with its position in the list ("2 of 5"). The links also keep their usual place in the
   * Tab order (no roving tabindex): Tab, browse mode and the screen reader's list of links
   * work as they do without JavaScript, and the arrow keys are a shortcut on top.
   */

  var TEXT_INPUT_TYPES = ["button", "checkbox", "radio", "submit", "reset", "image", "file", "range", "color"];

  function isTypingTarget(element) {
    if (!element || !element.tagName) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && TEXT_INPUT_TYPES.indexOf(element.type) === -1;
  }

  function focusSearchBox(selectText) {
    var box = searchBox();
    if (!box) return;
    box.focus();
    if (selectText) box.select();
  }

  // How many history entries the search box has pushed since the page the reader started
  // typing on. Escape goes back that many steps, and htmx restores that page from its history
  // cache (or asks the server for it), so the address, the title, the content and Back/Forward
  // all agree; Forward brings the results back. Reset when the reader moves through the
  // history by other means, because the count no longer says where the start is.
  var searchSteps = 0;
  var restoringBySearchEscape = false;
  // A keystroke's search still waiting out its delay must not land after Escape cleared it.
  var searchCleared = false;

  function escapeSearch(event, box) {
    var showsSearch = document.querySelector("#main .search-results") !== null;
    if (searchSteps === 0 && box.value === "" && !showsSearch) {
      if (event.target !== box) {
        event.preventDefault();
        box.focus();
      }
      return;
    }
    // Chrome clears a search box on Escape by itself and fires `search`, which would start a
    // request; this handler does the clearing instead.
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(box, "htmx:abort");
    if (searchSteps > 0) {
      searchCleared = true;
      restoringBySearchEscape = true;
      window.history.go(-searchSteps);
      searchSteps = 0;
      return;
    }
    // The search page as it came from the server: nothing to go back to, so empty the query
    // and ask for the empty search page in its place.
    box.value = "";
    box.focus();
    if (showsSearch && window.htmx) {
      window.htmx.trigger(box, "search");
    } else {
      searchCleared = true;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var box = searchBox();
    if (!box) return;
    var target = event.target;

    // Shift is allowed: on many keyboard layouts "/" is typed with it.
    if (event.key === "/" && !isTypingTarget(target)) {
      event.preventDefault();
      focusSearchBox(true);
      return;
    }

    var links = resultLinks();
    var index = links.indexOf(target);
    if (target !== box && index === -1) return;

    if (event.key === "Escape") {
      escapeSearch(event, box);
    } else if (event.shiftKey) {
      // Shift+arrows select text in the box.
    } else if (event.key === "ArrowDown" && links.length > 0) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index !== -1) {
      event.preventDefault();
      if (index === 0) {
        focusSearchBox(false);
      } else {
        links[index - 1].focus();
      }
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target === searchBox()) searchCleared = false;
  });

  // htmx sets detail.elt to whatever element an event is fired on; the element that made the
  // request is in requestConfig.
  function fromSearchBox(event) {
    var config = event.detail && event.detail.requestConfig;
    return Boolean(config && config.elt && config.elt.id === "site-search");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (searchCleared && fromSearchBox(event)) event.preventDefault();
  });

  // A search typed over live results refines the search those results came from: the search
  // log counts the last one only. The results carry its id; other pages have none, which is
  // why this is not an hx-include (htmx logs an error when its selector matches nothing).
  document.addEventListener("htmx:configRequest", function (event) {
    var refines = document.getElementById("search-refines");
    // Here the detail is the request's configuration itself.
    if (refines && event.detail.elt === searchBox()) event.detail.parameters.refines = refines.value;
  });

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    if (fromSearchBox(event) && event.detail.history.type === "push") searchSteps += 1;
  });

  document.addEventListener("htmx:historyRestore", function () {
    searchSteps = 0;
    if (restoringBySearchEscape) {
      restoringBySearchEscape = false;
      focusSearchBox(false);
    }
  });

  // Results arrive in <main> while focus stays in the box: say how many there are.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!fromSearchBox(event)) return;
    var title = document.getElementById("results-title");
    if (title) announce(title.textContent.replace(/\s+/g, " ").trim());
  });

  function enhanceSearchBox(root) {
    var hint = within(root, "#search-hint")[0];
    var box = searchBox();
    if (!hint || !box) return;
    hint.hidden = false;
    box.setAttribute("aria-describedby", "search-hint");
    box.setAttribute("aria-keyshortcuts", "/");
  }

  /* Copy buttons -----------------------------------------------------------------------------
   *
   * A "Copy" button on every code block in an answer and a "Copy link" button next to the
   * entry's permalink. The button shows "Copied" for a moment and the live region says so.
   */

  function copyButton(kind, label, doneLabel, hiddenSuffix) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.dataset.copy = kind;
    button.dataset.label = label;
    button.dataset.doneLabel = doneLabel;
    var text = document.createElement("span");
    text.className = "copy-label";
    text.textContent = label;
    button.appendChild(text);
    if (hiddenSuffix) {
      var suffix = document.createElement("span");
      suffix.className = "visually-hidden";
      suffix.textContent = hiddenSuffix;
      button.appendChild(suffix);
    }
    return button;
  }

  function enhanceCopyButtons(root) {
    within(root, ".answer pre").forEach(function (pre) {
      if (pre.parentElement.classList.contains("code-block")) return;
      var block = document.createElement("div");
      block.className = "code-block";
      pre.parentElement.insertBefore(block, pre);
      block.appendChild(pre);
      block.appendChild(copyButton("code", "Copy", "Copied", " code"));
    });
    within(root, "a.permalink").forEach(function (link) {
      var next = link.nextElementSibling;
      if (next && next.matches("button[data-copy]")) return;
      link.insertAdjacentElement("afterend", copyButton("link", "Copy link", "Link copied"));
    });
  }

  function textToCopy(button) {
    if (button.dataset.copy === "link") {
      // The permalink's resolved href: absolute, and without any query the page was opened
      // with (a search's ?sq=, say).
      return button.previousElementSibling.href;
    }
    var code = button.parentElement.querySelector("pre");
    return code.textContent.replace(/\n$/, "");
  }

  // For pages served over plain HTTP, where navigator.clipboard does not exist, and for
  // browsers that refuse it: the old way, through a selected, off-screen textarea.
  function copyBySelection(text) {
    var focused = document.activeElement;
    var buffer = document.createElement("textarea");
    buffer.value = text;
    buffer.setAttribute("readonly", "");
    buffer.setAttribute("aria-hidden", "true");
    buffer.className = "copy-buffer";
    document.body.appendChild(buffer);
    buffer.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    buffer.remove();
    if (focused && focused.focus) focused.focus();
    return copied;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!copyBySelection(text)) throw new Error("The browser refused to copy.");
      });
    }
    return copyBySelection(text) ? Promise.resolve() : Promise.reject(new Error("The browser refused to copy."));
  }

  function showCopyState(button, copied) {
    var label = button.querySelector(".copy-label");
    label.textContent = copied ? button.dataset.doneLabel : "Copy failed";
    button.classList.toggle("is-copied", copied);
    announce(copied ? "Copied to clipboard" : "Could not copy: select the text and copy it by hand");
    window.clearTimeout(Number(button.dataset.resetTimer));
    button.dataset.resetTimer = String(
      window.setTimeout(function () {
        label.textContent = button.dataset.label;
        button.classList.remove("is-copied");
      }, COPIED_FOR_MS)
    );
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    copyText(textToCopy(button)).then(
      function () {
        showCopyState(button, true);
      },
      function () {
        showCopyState(button, false);
      }
    );
  });

  // htmx keeps a copy of the page for Back; keep the buttons in it at rest.
  document.addEventListener("htmx:beforeHistorySave", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.querySelector(".copy-label").textContent = button.dataset.label;
      button.classList.remove("is-copied");
    });
    var region = document.getElementById("announcer");
    if (region) region.textContent = "";
  });

  /* Dates in the reader's locale -------------------------------------------------------------
   *
   * The server writes "5 November 2025" and an ISO datetime in UTC; the reader sees the date in
   * their own language and time zone, and the full date and time on hover.
   */

  function localizeDates(root) {
    var times = within(root, "time[data-local-date]:not([data-localized])");
    if (times.length === 0 || !window.Intl) return;
    var dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });
    var fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
    times.forEach(function (time) {
      var date = new Date(time.dateTime);
      if (isNaN(date.getTime())) return;
      time.textContent = dateFormat.format(date);
      time.title = fullFormat.format(date);
      time.setAttribute("data-localized", "");
    });
  }

  function enhance(root) {
    if (!root || !root.querySelectorAll) return;
    enhanceSearchBox(root);
    enhanceCopyButtons(root);
    localizeDates(root);
  }

  /* Error answers that carry a page fragment ------------------------------------------------
   *
   * htmx swaps only 2xx answers. An element with data-swap-errors="400 429" also takes those
   * statuses: the vote form's answer to a bad vote or too many votes is a fragment that says
   * so. (In the template this would be an hx-on attribute, which needs eval.)
   */

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var holder = target && target.closest ? target.closest("[data-swap-errors]") : null;
    if (!holder) return;
    var statuses = holder.getAttribute("data-swap-errors").split(/\s+/);
    if (statuses.indexOf(String(event.detail.xhr.status)) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  announcer();
  enhance(document.body);
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
