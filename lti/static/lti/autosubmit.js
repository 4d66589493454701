/* Posts the deep linking response back to the LMS as soon as the page loads (a static file:
 * the Content-Security-Policy allows no inline script). The button stays for browsers without
 * scripts. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-lti-autosubmit]");
  if (form) {
    form.submit();
  }
})();
