// The public web form /lapor (issue 16 §1): the page works without this
// script; the improvements follow.
