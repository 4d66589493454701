// The guidance panel of the review form (reviews/templates/reviews/review_form.html).
// Past the user's rate limit the guidance endpoint answers 429 with the reason as a panel;
// htmx swaps in only 2xx answers by default, so this one is let through, for the panel only.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 429 && event.detail.target.id === "guidance") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
