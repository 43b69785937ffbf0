/*
 * The command palette: Ctrl-K (Cmd-K on a Mac) or the header's "Quick search" button opens a
 * search dialog from any page. Answers appear as you type, with the error codes and the tools
 * that match; the arrow keys choose, Enter opens, Escape closes and puts focus back where it was.
 *
 * Markup: templates/_palette.html, a <dialog> that stays closed without JavaScript (the header's
 * search form does the work then). Nothing here is a second search: answers are the search
 * page's own results, posted for as the header box posts and read from the fragment htmx gets
 * (so the search log sees them as it sees the header box's searches, a paste never goes into a
 * URL, and result links carry their ?sq=), and error codes come from /errors.json. One search is
 * in flight at a time and the latest text waits for it, so each search can name the one it
 * refines. Recent searches stay in this browser (localStorage) and are never sent anywhere;
 * what is kept is the query as the server redacted it (a pasted token never lands there).
 *
 * Accessibility: showModal() makes the rest of the page inert, Tab is kept inside the dialog,
 * and the input is an ARIA combobox whose listbox options are chosen with aria-activedescendant
 * while focus stays in the input (the pattern of the ARIA Authoring Practices). Options are not
 * links (a listbox option may not contain one); choosing one navigates.
 *
 * Elements are looked up when needed, never kept: htmx restores pages from its history cache by
 * replacing the body, which would leave references to the old elements behind.
 */
(function () {
  "use strict";

  var RECENT_KEY = "kb.palette.recent";
  var MAX_RECENT = 6;
  var MAX_CODES = 4;
  var MAX_ANSWERS = 8;
  var MIN_QUERY = 2;
  var TYPING_DELAY_MS = 150;
  var IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || "");

  var opener = null; // what had focus before the palette opened, to give it back
  var items = []; // what the options stand for, in the order shown
  var activeIndex = -1;
  var readerChose = false; // the reader moved to an option: results arriving keep it there
  var answers = { query: "", hits: [], answered: false };
  var errorCodes = null; // from /errors.json, once loaded
  var searchId = null; // the search log's id of the last search, so refinements count as one
  var inFlight = false; // a search request is on its way
  var waiting = null; // the text to search for once it is back
  var typingTimer = 0;

  function $(id) {
    return document.getElementById(id);
  }

  function dialog() {
    return $("palette");
  }

  function input() {
    return $("palette-input");
  }

  function query() {
    return input().value.replace(/\s+/g, " ").trim();
  }

  /* Recent searches: this browser only ----------------------------------------------------- */

  function recentSearches() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter(function (q) { return typeof q === "string"; }) : [];
    } catch (error) {
      return []; // storage disabled or unreadable: no recent searches, nothing else lost
    }
  }

  function storeRecentSearches(list) {
    try {
      if (list.length) {
        window.localStorage.setItem(RECENT_KEY, JSON.stringify(list));
      } else {
        window.localStorage.removeItem(RECENT_KEY);
      }
    } catch (error) {
      // Private browsing may refuse storage; the palette works without it.
    }
  }

  // Only a search the server answered with an address is kept, and as that address says it:
  // redacted, short and on one line (a long paste gets no address, so it is not kept).
  function rememberSearch() {
    var text = answers.query === query() ? answers.address : null;
    if (!text || text.length < MIN_QUERY) return;
    var others = recentSearches().filter(function (q) {
      return q.toLowerCase() !== text.toLowerCase();
    });
    storeRecentSearches([text].concat(others).slice(0, MAX_RECENT));
  }

  /* What the options stand for ------------------------------------------------------------ */

  function destinations() {
    var template = $("palette-destinations");
    if (!template) return [];
    return Array.prototype.map.call(template.content.querySelectorAll("a"), function (link) {
      return {
        kind: "link",
        label: link.textContent.trim(),
        href: link.getAttribute("href"),
        words: (link.textContent + " " + (link.dataset.keywords || "")).toLowerCase(),
      };
    });
  }

  function matchingDestinations(text) {
    var words = text.toLowerCase().split(" ");
    return destinations().filter(function (place) {
      return words.every(function (word) {
        return place.words.indexOf(word) !== -1;
      });
    });
  }

  // A page the reader named by its own name ("token calc", "rate limit lookup"), not only by
  // what it is about: it is what they want, before any answer.
  function isNamed(place, text) {
    var label = place.label.toLowerCase();
    return text.toLowerCase().split(" ").some(function (word) {
      return word.length >= 3 && label.indexOf(word) !== -1;
    });
  }

  function matchingCodes(text) {
    if (!errorCodes) return [];
    var lower = text.toLowerCase();
    var leading = /^(\d{1,3})(\s|$)/.exec(lower);
    return errorCodes
      .filter(function (code) {
        var number = String(code.code);
        if (leading) return number.indexOf(leading[1]) === 0;
        return lower.length >= 3 && code.name.toLowerCase().indexOf(lower) !== -1;
      })
      .slice(0, MAX_CODES)
      .map(function (code) {
        return { kind: "link", label: code.code + " " + code.name, detail: "Error code", href: code.url, named: true };
      });
  }

  function searchForm() {
    return dialog().querySelector("form");
  }

  function groups() {
    var text = query();
    if (text.length < MIN_QUERY) {
      var recent = recentSearches().map(function (q) {
        return { kind: "recent", label: q, detail: "Recent search", query: q };
      });
      return [
        { label: "Recent searches", items: recent },
        { label: "Go to", items: destinations() },
      ];
    }
    var arrived = answers.query === text;
    var found = arrived ? answers.hits : [];
    var places = matchingDestinations(text);
    var named = places
      .filter(function (place) { return isNamed(place, text); })
      .map(function (place) { return Object.assign({ named: true }, place); });
    var labels = named.map(function (place) { return place.href; });
    return [
      { label: "Error codes", items: matchingCodes(text) },
      { label: "Go to", items: named },
      // Without an answer, what was found is only loosely related: said so, and not chosen.
      { label: answers.answered || !arrived ? "Answers" : "No answer yet; loosely related", items: found },
      { label: "Also", items: places.filter(function (place) { return labels.indexOf(place.href) === -1; }) },
      {
        label: "Search",
        items: [{ kind: "search", label: "All results for “" + text + "”" }],
      },
    ];
  }

  /* Rendering ---------------------------------------------------------------------------- */

  function optionElement(item, index) {
    var option = document.createElement("div");
    option.id = "palette-option-" + index;
    option.className = "palette-option";
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.dataset.index = String(index);
    var label = document.createElement("span");
    label.className = "palette-option-label";
    label.textContent = item.label;
    option.appendChild(label);
    if (item.detail) {
      var detail = document.createElement("span");
      detail.className = "palette-option-detail";
      detail.textContent = item.detail;
      option.appendChild(detail);
    }
    return option;
  }

  function itemKey(item) {
    return item ? item.kind + " " + (item.href || item.query) : "";
  }

  function render() {
    var listbox = $("palette-options");
    if (!listbox) return;
    // Results arriving while the reader is on an option keep them on it, wherever it moved.
    var chosen = itemKey(items[activeIndex]);
    items = [];
    listbox.textContent = "";
    groups().forEach(function (group) {
      if (group.items.length === 0) return;
      var element = document.createElement("div");
      element.className = "palette-group";
      element.setAttribute("role", "group");
      element.setAttribute("aria-label", group.label);
      // The visible heading is for the eye; the group's aria-label says it to screen readers.
      var heading = document.createElement("div");
      heading.className = "palette-group-label";
      heading.setAttribute("aria-hidden", "true");
      heading.textContent = group.label;
      element.appendChild(heading);
      group.items.forEach(function (item) {
        element.appendChild(optionElement(item, items.length));
        items.push(item);
      });
      listbox.appendChild(element);
    });
    var clear = dialog().querySelector("[data-palette-clear]");
    if (clear) clear.hidden = query().length >= MIN_QUERY || recentSearches().length === 0;
    activeIndex = -1;
    if (readerChose) {
      setActive(items.map(itemKey).indexOf(chosen));
    } else {
      // The first option is chosen for the reader, so Enter opens it ("401" opens the code's
      // page, "token calc" the calculator), once it is sure to stay first: an error code or a
      // page named by its own name at once, an answer once the answers for this text are in.
      // Until then Enter goes to the search page. The reader's own choice is kept as they come.
      var text = query();
      var sure = items[0] && (items[0].named || (answers.query === text && answers.answered));
      setActive(text.length >= MIN_QUERY && sure ? 0 : -1);
    }
  }

  function setActive(index) {
    var box = input();
    var previous = $("palette-option-" + activeIndex);
    if (previous) previous.setAttribute("aria-selected", "false");
    activeIndex = index;
    var option = $("palette-option-" + index);
    if (option) {
      option.setAttribute("aria-selected", "true");
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      activeIndex = -1;
      box.removeAttribute("aria-activedescendant");
    }
  }

  function announce(message) {
    var status = $("palette-status");
    if (status) status.textContent = message;
  }

  function announceCounts() {
    var text = query();
    if (text.length < MIN_QUERY) return;
    var codes = matchingCodes(text).length;
    var found = answers.hits.length;
    var parts = [];
    if (found === 0) parts.push("No answers");
    else if (!answers.answered) parts.push("No answer yet, " + found + " loosely related");
    else parts.push(found + (found === 1 ? " answer" : " answers"));
    if (codes) parts.push(codes + (codes === 1 ? " error code" : " error codes"));
    announce(parts.join(", ") + " for " + text);
  }

  /* Searching ---------------------------------------------------------------------------- */

  // The search page's fragment: the same results and links the header box shows.
  function readResults(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var refines = page.getElementById("search-refines");
    searchId = refines ? refines.value : null;
    return Array.prototype.slice
      .call(page.querySelectorAll(".result-link"), 0, MAX_ANSWERS)
      .map(function (link) {
        var category = link.parentElement.querySelector(".result-category");
        return {
          kind: "link",
          label: link.textContent.trim(),
          detail: category ? category.textContent.trim() : "",
          href: link.getAttribute("href"),
        };
      });
  }

  // The query of the address the server gave the search (HX-Push-Url): redacted, or none.
  function addressQuery(response) {
    var address = response.headers.get("HX-Push-Url");
    var match = address && /[?&]q=([^&]*)/.exec(address);
    return match ? decodeURIComponent(match[1].replace(/\+/g, " ")) : null;
  }

  function finished() {
    inFlight = false;
    var next = waiting;
    waiting = null;
    if (next !== null && next === query() && dialog().open) search(next);
  }

  function search(text) {
    if (inFlight) {
      waiting = text; // sent once the one on its way is back, naming it as refined
      return;
    }
    inFlight = true;
    var body = new URLSearchParams({ q: text });
    if (searchId) body.set("refines", searchId);
    window
      .fetch(searchForm().getAttribute("action"), {
        method: "POST",
        headers: { "HX-Request": "true" },
        body: body,
        credentials: "same-origin",
      })
      .then(function (response) {
        if (response.status === 429) throw new Error("throttled");
        if (!response.ok) throw new Error("search answered " + response.status);
        return response.text().then(function (html) {
          var hits = readResults(html); // also when outdated: it says which search to refine
          if (text === query()) {
            // The search page's own decision: no answer is said plainly there, and here.
            var answered = hits.length > 0 && !/class="no-answer"/.test(html);
            answers = { query: text, hits: hits, answered: answered, address: addressQuery(response) };
            render();
            announceCounts();
          }
        });
      })
      .catch(function (error) {
        if (text !== query()) return;
        answers = { query: text, hits: [], answered: false, address: null };
        render();
        announce(
          error.message === "throttled"
            ? "Too many searches from your network: wait a minute, or press Enter for the search page"
            : "Search is not answering; press Enter to open the search page"
        );
      })
      .then(finished);
  }

  function update() {
    window.clearTimeout(typingTimer);
    activeIndex = -1; // new text, new options: the first is chosen again
    readerChose = false;
    render();
    var text = query();
    if (text.length < MIN_QUERY) {
      waiting = null;
      return;
    }
    typingTimer = window.setTimeout(function () {
      search(text);
    }, TYPING_DELAY_MS);
  }

  function loadErrorCodes() {
    if (errorCodes) return;
    var url = dialog().dataset.errorsUrl;
    window
      .fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { codes: [] };
      })
      .then(function (data) {
        errorCodes = (data.codes || []).map(function (code) {
          return { code: code.code, name: code.name, url: code.url };
        });
        if (dialog().open && query().length >= MIN_QUERY) render();
      })
      .catch(function () {
        errorCodes = null; // tried again the next time the palette opens
      });
  }

  /* Opening, choosing, closing ---------------------------------------------------------- */

  function button(className, dataName, text, hiddenText) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.setAttribute(dataName, "");
    element.textContent = text;
    if (hiddenText) {
      var suffix = document.createElement("span");
      suffix.className = "visually-hidden";
      suffix.textContent = hiddenText;
      element.appendChild(suffix);
    }
    return element;
  }

  // The buttons only work with this script, so this script makes them (as site.js does).
  function addButtons(palette) {
    if (!palette.querySelector("[data-palette-close]")) {
      palette.querySelector("form").appendChild(
        button("palette-close", "data-palette-close", "Close", " quick search")
      );
    }
    var footer = palette.querySelector(".palette-footer");
    if (footer && !palette.querySelector("[data-palette-clear]")) {
      footer.appendChild(button("palette-clear", "data-palette-clear", "Clear recent searches"));
    }
  }

  function open() {
    var palette = dialog();
    if (!palette || palette.open) return;
    addButtons(palette);
    opener = document.activeElement;
    palette.showModal();
    input().value = "";
    answers = { query: "", hits: [], answered: false };
    activeIndex = -1;
    render();
    input().focus();
    loadErrorCodes();
  }

  function close() {
    var palette = dialog();
    if (palette && palette.open) palette.close();
  }

  function choose(index, inNewTab) {
    var item = items[index];
    if (!item) return;
    if (item.kind === "recent") {
      input().value = item.query;
      update();
      return;
    }
    if (item.kind === "search") {
      searchForm().requestSubmit(); // posted like the header's form: a paste stays out of URLs
      return;
    }
    rememberSearch();
    if (inNewTab) {
      window.open(item.href, "_blank", "noopener");
      return;
    }
    window.location.assign(item.href);
  }

  function focusables() {
    return Array.prototype.filter.call(
      dialog().querySelectorAll("input, button, [href]"),
      function (element) {
        return !element.hidden && !element.disabled && element.offsetParent !== null;
      }
    );
  }

  function keepTabInside(event) {
    var list = focusables();
    if (list.length === 0) return;
    var first = list[0];
    var last = list[list.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function isTypingTarget(element) {
    if (!element || !element.tagName) return false;
    return element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }

  function isPaletteShortcut(event) {
    if (event.altKey || event.shiftKey || (event.key || "").toLowerCase() !== "k") return false;
    if (event.metaKey) return true;
    // On a Mac, Ctrl-K in a text field deletes to the end of the line: leave it to the field.
    return event.ctrlKey && !(IS_MAC && isTypingTarget(event.target) && !dialog().contains(event.target));
  }

  function moveActive(step) {
    if (items.length === 0) return;
    readerChose = true;
    var next = activeIndex + step;
    if (next < 0) next = items.length - 1;
    if (next >= items.length) next = 0;
    setActive(next);
  }

  document.addEventListener("keydown", function (event) {
    var palette = dialog();
    if (!palette || typeof palette.showModal !== "function" || event.isComposing) return;
    if (isPaletteShortcut(event)) {
      event.preventDefault();
      if (palette.open) close();
      else open();
      return;
    }
    if (!palette.open) return;
    if (event.key === "Tab") {
      keepTabInside(event);
      return;
    }
    if (event.target !== input()) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveActive(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && activeIndex !== -1) {
      event.preventDefault();
      choose(activeIndex, event.ctrlKey || event.metaKey);
    } else if (event.key === "Escape") {
      // The dialog closes on Escape by itself; this makes sure a search box's own Escape
      // handling (clearing the text) does not get there first.
      event.preventDefault();
      close();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target === input()) update();
  });

  // Enter with nothing chosen: the form goes to the search page, like the header's.
  document.addEventListener("submit", function (event) {
    var palette = dialog();
    if (palette && palette.contains(event.target)) rememberSearch();
  });

  document.addEventListener("click", function (event) {
    var palette = dialog();
    if (!palette) return;
    var target = event.target;
    if (target.closest("[data-palette-open]")) {
      open();
    } else if (target.closest("[data-palette-close]") || target === palette) {
      close(); // the close button, or a click on the backdrop around the box
    } else if (target.closest("[data-palette-clear]")) {
      storeRecentSearches([]);
      render();
      input().focus();
      announce("Recent searches cleared");
    } else if (target.closest(".palette-option")) {
      var option = target.closest(".palette-option");
      choose(Number(option.dataset.index), event.ctrlKey || event.metaKey);
    }
  });

  // The pointer chooses as the arrow keys do; pressing on an option keeps focus in the input.
  document.addEventListener("mousemove", function (event) {
    var option = event.target.closest && event.target.closest(".palette-option");
    if (option && Number(option.dataset.index) !== activeIndex) {
      readerChose = true;
      setActive(Number(option.dataset.index));
    }
  });
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".palette-option")) event.preventDefault();
  });

  // Closed by Escape, the button, the backdrop or the shortcut: focus goes back where it was.
  document.addEventListener(
    "close",
    function (event) {
      if (event.target !== dialog()) return;
      window.clearTimeout(typingTimer);
      waiting = null;
      var back = opener;
      opener = null;
      if (back && back.isConnected && typeof back.focus === "function") back.focus();
    },
    true
  );

  // Back to a page from the browser's cache after leaving it from the palette: start closed.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) close();
  });

  function showButton(root) {
    var palette = dialog();
    if (!palette || typeof palette.showModal !== "function") return;
    root.querySelectorAll("[data-palette-open]").forEach(function (button) {
      button.hidden = false;
      var shortcut = button.querySelector("[data-palette-shortcut]");
      if (shortcut && IS_MAC) shortcut.textContent = "⌘ K";
    });
  }

  showButton(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) showButton(event.target);
  });
})();
