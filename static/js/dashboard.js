// Draws the dashboard's charts from the JSON the page carries; every chart has its table in
// the page too, so nothing depends on this script.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function tag(name, className, text) {
    var element = document.createElement(name);
    element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // ECharts writes its default tooltip as HTML with style attributes, which our
  // Content-Security-Policy refuses; the same lines built from elements need none (setting
  // a colour through element.style is allowed).
  function tooltip(items) {
    var box = tag("div", "chart-tooltip", items.length ? items[0].axisValueLabel : "");
    items.forEach(function (item) {
      var line = tag("div", "chart-tooltip-line");
      var marker = tag("span", "chart-tooltip-marker");
      marker.style.backgroundColor = item.color;
      var value = item.value == null ? "-" : Number(item.value).toLocaleString();
      line.append(marker, tag("span", "", item.seriesName), tag("span", "chart-tooltip-value", value));
      box.appendChild(line);
    });
    return box;
  }

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) return;
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, grid: { left: 48, right: 16, top: 40, bottom: 48 }, tooltip: { trigger: "axis", formatter: tooltip } }, option));
    charts.push(chart);
  }

  // Spring green, tourist-season blue, harvest gold, winter red (Spring Festival).
  var seasonColours = {
    spring: "#4caf50", tourist_season: "#2196f3", autumn_harvest: "#f0a020", winter: "#c62828",
  };
  draw("chart-weeks", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.weeks },
    yAxis: { type: "value", name: data.labels.person_times },
    series: data.seasons.map(function (season) {
      return {
        name: season.name, type: "bar", stack: "weeks", data: season.data,
        itemStyle: { color: seasonColours[season.season] },
      };
    }),
  });
  draw("chart-districts", {
    xAxis: { type: "category", data: data.districts, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", name: data.labels.hours },
    series: [{ name: data.labels.hours, type: "bar", data: data.district_hours }],
  });
  var monthly = [{ name: data.labels.earned, type: "line", data: data.earned }];
  if (data.redeemed) monthly.push({ name: data.labels.redeemed, type: "line", data: data.redeemed });
  draw("chart-months", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: monthly,
  });
  draw("chart-teams", {
    // A long team name wraps onto a second line rather than being cut: the office reads it.
    grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
    xAxis: { type: "value", name: data.labels.person_times },
    yAxis: { type: "category", data: data.teams.slice().reverse(), axisLabel: { width: 140, overflow: "breakAll", lineHeight: 14 } },
    series: [{ name: data.labels.person_times, type: "bar", data: data.team_person_times.slice().reverse() }],
  });
  // Care (the office only): condolence funds by year with the running total, and how far
  // the latest visit campaign has come through its list.
  if (data.care_years.length) {
    draw("chart-care-funds", {
      legend: { top: 0 },
      xAxis: { type: "category", data: data.care_years },
      yAxis: { type: "value" },
      series: [
        { name: data.labels.care_year, type: "bar", data: data.care_year_yuan },
        { name: data.labels.care_running, type: "line", data: data.care_running_yuan },
      ],
    });
  }
  var coverageColours = {
    visited: "#4caf50", planned: "#2196f3", not_reached: "#c62828", not_yet: "#9e9e9e",
  };
  if (data.care_coverage.length) {
    draw("chart-care-coverage", {
      grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
      xAxis: { type: "value", name: data.labels.persons, minInterval: 1 },
      yAxis: { type: "category", data: data.care_coverage.map(function (part) { return part.name; }).reverse() },
      series: [{
        name: data.labels.persons, type: "bar",
        data: data.care_coverage.map(function (part) {
          return { value: part.value, itemStyle: { color: coverageColours[part.state] } };
        }).reverse(),
      }],
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  // Charts are disposed before the page is left or swapped, as ECharts asks.
  function dispose() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
  }
  window.addEventListener("pagehide", dispose);
  document.body.addEventListener("htmx:beforeSwap", dispose);
})();
