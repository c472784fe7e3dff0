// Wide tables scroll sideways inside `.table-scroll`. A keyboard user can only scroll a box
// that takes the focus (WCAG 2.1.1), so a box whose table is wider than it becomes a focusable,
// named region; one that fits stays out of the tab order. Boxes the server already made
// focusable (the dashboard's) are left as they are. Without this script the page still works.
const ADDED = "data-scroll-region";

function tableName(box) {
  const table = box.querySelector("table");
  const caption = table && table.querySelector("caption");
  if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
  const label = table && table.getAttribute("aria-label");
  if (label) { return label; }
  const heading = table && table.getAttribute("aria-labelledby");
  const named = heading && document.getElementById(heading);
  return named ? named.textContent.trim() : "";
}

function update(box) {
  if (box.hasAttribute("tabindex") && !box.hasAttribute(ADDED)) { return; }
  const overflows = box.scrollWidth > box.clientWidth + 1;
  if (overflows && !box.hasAttribute(ADDED)) {
    box.setAttribute(ADDED, "");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    const name = tableName(box);
    if (name) { box.setAttribute("aria-label", name); }
  } else if (!overflows && box.hasAttribute(ADDED)) {
    for (const attribute of [ADDED, "tabindex", "role", "aria-label"]) {
      box.removeAttribute(attribute);
    }
  }
}

const boxes = document.querySelectorAll(".table-scroll");
const observer = new ResizeObserver((entries) => {
  entries.forEach((entry) => update(entry.target.closest(".table-scroll")));
});
boxes.forEach((box) => {
  update(box);
  observer.observe(box);
  const table = box.querySelector("table");
  if (table) { observer.observe(table); }  // tables filled later (the live room's roll)
});
