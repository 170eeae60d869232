// Draws each chart from the figure in its data-figure attribute with the app's own Plotly, and
// downloads a chart as PNG or SVG from its buttons (rendered in the browser: nothing leaves it).
"use strict";
document.querySelectorAll("[data-figure]").forEach((el) => {
  const figure = JSON.parse(el.dataset.figure);
  Plotly.newPlot(el, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    toImageButtonOptions: { filename: "equipoise-" + el.id },
  });
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-download]");
  if (!button) return;
  const chart = document.getElementById(button.dataset.chart);
  Plotly.downloadImage(chart, { format: button.dataset.download, filename: "equipoise-" + chart.id });
});
