#pragma once
// A plan seen zone by zone: which services cross from one zone to another (the report's diagram
// and matrix), and the diagram laid out by Graphviz.
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/result.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"

namespace winports::report {

struct ZoneLink {
  std::string from, to;               // zone names; equal for flows inside a zone
  std::vector<std::string> services;  // service ids, sorted
  std::vector<std::size_t> flows;     // indexes into Plan::flows
  std::string color;                  // the arrow's colour; "" for the default (verify paints verdicts)
};

// The zones an endpoint's addresses fall in (a host's zone, a zone itself, a role's hosts' zones);
// "(outside)" for addresses in no zone.
std::vector<std::string> zones_of(const plan::Endpoint& endpoint, const plan::Environment& env);

// One link per (source zone, destination zone) that any flow crosses, in zone order.
std::vector<ZoneLink> zone_links(const plan::Plan& plan, const plan::Environment& env);

// The links as a Graphviz graph: zones as boxes (with their networks and hosts), one arrow per
// link labelled with its services. Every node and edge carries an id ("zone-NAME",
// "link-FROM-TO") so a page can find it.
std::string zone_dot(const std::vector<ZoneLink>& links, const plan::Environment& env);

// The graph laid out by Graphviz's dot and rendered as SVG (no XML prolog: ready to inline).
Result<std::string> render_svg(const std::string& dot);

}  // namespace winports::report
