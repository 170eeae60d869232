// Draws each chart from the figure in its data-figure attribute with the app's own Plotly.
"use strict";
document.querySelectorAll("[data-figure]").forEach((el) => {
  const figure = JSON.parse(el.dataset.figure);
  Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
});
