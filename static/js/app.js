// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before irreversible actions (suspend, stop, reject): forms carry data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  // On narrow screens tables are shown as cards (app.css): each cell is led by the header
  // of its column, read here from the table's <thead>.
  document.querySelectorAll("main table").forEach((table) => {
    const headers = [];
    table.querySelectorAll("thead tr:last-child > th").forEach((th) => {
      for (let i = 0; i < (th.colSpan || 1); i += 1) {
        headers.push(th.textContent.trim());
      }
    });
    table.querySelectorAll("tbody tr").forEach((row) => {
      let column = 0;
      Array.from(row.children).forEach((cell) => {
        const label = headers[column];
        if (cell.tagName === "TD" && label && !cell.dataset.label) {
          cell.dataset.label = label;
        }
        column += cell.colSpan || 1;
      });
    });
  });
});
