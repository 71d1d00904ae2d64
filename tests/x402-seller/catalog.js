// The seller's stock: the simulated marketplace's items (Orchestrator.Simulators/Marketplace/Catalog.cs), searched
// the same way: the words of a query against each item's company, title and tags, the most words first, then by id.
import { readFileSync } from "node:fs";

const ignored = new Set([
  "a", "an", "and", "the", "of", "in", "on", "for", "by", "to", "with", "inc", "corp", "co", "ltd",
  "financial", "performance", "market", "trends", "analysis", "report", "data", "research",
]);

export const items = JSON.parse(readFileSync(new URL("./catalog.json", import.meta.url), "utf8"));

export function find(id) {
  return items.find(item => item.id === id);
}

/** What GET /catalog lists of an item (the C# client reads id, title, company, price and tags). */
export function listed(item) {
  return { id: item.id, title: item.title, company: item.company, price: item.price, tags: item.tags };
}

/** What a paid GET /company/detail returns. */
export function data(item) {
  return {
    id: item.id,
    company: item.company,
    title: item.title,
    summary: item.summary,
    metrics: item.metrics,
    source: "x402 seller",
  };
}

export function search(query, limit) {
  const wanted = new Set(words(query ?? "").filter(word => !ignored.has(word) && !/^\d+$/.test(word)));
  return items
    .map(item => ({ item, score: [...new Set(words(`${item.company} ${item.title} ${item.tags.join(" ")}`))].filter(w => wanted.has(w)).length }))
    .filter(match => match.score > 0)
    .sort((a, b) => b.score - a.score || a.item.id - b.item.id)
    .slice(0, limit)
    .map(match => match.item);
}

function words(text) {
  return text.toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(word => word.length > 0)
    .map(word => (word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word));
}
