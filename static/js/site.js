// Behaviour shared by every page. Pages work without it; it only adds comfort.
document.documentElement.classList.add("js");
