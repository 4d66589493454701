/* htmx errors shown inline (#16).
 *
 * htmx swaps nothing when a request answers 4xx/5xx or never reaches the server, so without
 * this the page silently stays as it was. The message goes into the single role="alert" region
 * at the top of <main> (#htmx-error) and is cleared by the next request that succeeds.
 * Served as a static file: the Content-Security-Policy allows no inline script and no eval.
 */
(function () {
  "use strict";

  var MAX_PLAIN_LENGTH = 300;

  var GENERIC = {
    400: "The server could not accept that request. Check what you entered and try again.",
    401: "Your session has ended. Log in again, then try again.",
    403: "You are not allowed to do that. If you think you should be, ask the course staff.",
    404: "That page or item no longer exists. Reload the page to see what is there now.",
    409: "Someone changed this at the same time. Reload the page and try again.",
    413: "That file is too large.",
    429: "Too many requests in a short time. Wait a minute, then try again.",
  };

  function region() {
    var existing = document.getElementById("htmx-error");
    if (existing) {
      return existing;
    }
    var main = document.querySelector("main");
    if (!main) {
      return null;
    }
    var created = document.createElement("div");
    created.id = "htmx-error";
    created.className = "htmx-error";
    created.setAttribute("role", "alert");
    main.insertBefore(created, main.firstChild);
    return created;
  }

  function genericMessage(status) {
    if (GENERIC[status]) {
      return GENERIC[status];
    }
    if (status >= 500) {
      return "Something went wrong on our side (error " + status + "). Try again in a moment.";
    }
    return "The request failed (error " + status + "). Reload the page and try again.";
  }

  function messageFor(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var text = (xhr.responseText || "").trim();
    if (type.indexOf("text/plain") === 0 && text && text.length <= MAX_PLAIN_LENGTH) {
      return text;
    }
    return genericMessage(xhr.status);
  }

  function show(message) {
    var box = region();
    if (!box) {
      return;
    }
    // textContent, never innerHTML: the server's text is shown, not run.
    box.textContent = message;
    box.classList.add("htmx-error-shown");
  }

  function clear() {
    var box = document.getElementById("htmx-error");
    if (box && box.textContent) {
      box.textContent = "";
      box.classList.remove("htmx-error-shown");
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    show(messageFor(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Check your connection, then try again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      clear();
    }
  });
})();
