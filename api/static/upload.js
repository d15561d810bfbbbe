/* The phase page's upload form (no inline scripts: a strict Content-Security-Policy holds).
   Client-side checks of the obvious things (a file chosen, its extension, its size against the
   phase's cap, all from the form's data- attributes), then the file streams up to
   POST /api/v1/phases/{id}/submissions with XMLHttpRequest while a <progress> bar follows it.
   The Idempotency-Key is made once per chosen file, so a double click or a retry makes one
   submission; the page's CSRF token goes in X-CSRF-Token (the server refuses a cookie-signed
   upload without it). The server's refusal is shown inline (aria-live); on success the browser
   goes to the submission's results page, which follows the run live. */
(function () {
  "use strict";

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function init() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var input = document.getElementById("upload-file");
    var button = document.getElementById("upload-submit");
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var suffixes = (form.getAttribute("data-suffixes") || "").split(",").filter(Boolean);
    var cap = form.getAttribute("data-cap") || "";
    var key = null, busy = false;

    function say(text, isError) {
      status.textContent = text;
      status.className = isError ? "error" : "";
    }

    function problem(file) {
      if (!file) { return "choose a file first"; }
      var name = file.name.toLowerCase();
      if (suffixes.length && !suffixes.some(function (s) { return name.slice(-s.length) === s; })) {
        return "this phase takes " + suffixes.join(" or ") + " files; " + file.name + " is not one";
      }
      if (file.size === 0) { return file.name + " is empty"; }
      if (maxBytes && file.size > maxBytes) {
        return file.name + " is " + file.size + " bytes, more than this phase's cap of " + cap;
      }
      return null;
    }

    input.addEventListener("change", function () {
      key = input.files.length ? newKey() : null;  // one key per chosen file
      bar.value = 0;
      var p = problem(input.files[0]);
      say(p ? "Cannot submit: " + p + "." : "", !!p);
    });

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (busy) { return; }  // a second click while the first upload runs
      var file = input.files[0];
      var p = problem(file);
      if (p) { say("Cannot submit: " + p + ".", true); return; }
      if (!key) { key = newKey(); }
      busy = true;
      button.disabled = true;
      bar.value = 0;
      say("Uploading " + file.name + "…", false);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/phases/" + encodeURIComponent(form.getAttribute("data-phase")) +
               "/submissions?filename=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Idempotency-Key", key);
      xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf") || "");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if ((xhr.status === 200 || xhr.status === 201) && body && body.id) {
          bar.value = 100;
          say("Submitted (" + body.id + "); opening its results page…", false);
          window.location.assign("/submissions/" + body.id);
          return;
        }
        busy = false;
        button.disabled = false;
        var detail = body && typeof body.detail === "string" ? body.detail : "the server answered " + xhr.status;
        say("Not submitted: " + detail, true);
      });
      xhr.addEventListener("error", function () {
        busy = false;
        button.disabled = false;
        say("Not submitted: the connection failed; try again (the same file is not submitted twice).", true);
      });
      xhr.send(file);
    });
  }

  // back from the results page (the back-forward cache): the quota shown and the form's state
  // (disabled while it uploaded) are stale, so the page is fetched again
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && document.getElementById("upload-form")) { window.location.reload(); }
  });

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
