using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Contracts;

namespace Orchestrator.Worker.Reports;

/// <summary>Writes the Markdown research report: summary, one section per purchased source, the costs.</summary>
public sealed class ResearchReportWriter
{
    public string Write(WriteReport task)
    {
        var spent = task.Sources.Sum(s => s.Price);
        var md = new StringBuilder();
        Line(md, $"# Research report: {Inline(task.Theme)}");
        Line(md);
        Line(md, "## Summary");
        Line(md);
        Line(md, Summary(task, spent));
        Line(md);

        if (task.Sources.Count > 0)
        {
            Line(md, "## Sources");
            foreach (var (source, index) in task.Sources.Select((s, i) => (s, i + 1)))
                WriteSource(md, source, index);
        }

        Line(md, "## Costs");
        Line(md);
        Line(md, "| Item | Price |");
        Line(md, "| --- | ---: |");
        foreach (var source in task.Sources)
            Line(md, $"| {Cell(source.Title)} (item {source.ItemId}) | {source.Price} |");
        Line(md, $"| **Total spent** | **{spent}** |");
        Line(md);
        Line(md, $"Total spent: **{spent}** of a budget of **{task.Budget}** ({task.Budget - spent} remaining).");

        if (task.NotBought.Count > 0)
        {
            Line(md);
            Line(md, "## Sources not bought");
            Line(md);
            Line(md, "| Item | Price | Why |");
            Line(md, "| --- | ---: | --- |");
            foreach (var quote in task.NotBought)
                Line(md, $"| {Cell(quote.Title)} (item {quote.ItemId}) | {quote.Price} | over the remaining budget |");
        }

        return md.ToString();
    }

    static string Summary(WriteReport task, int spent) => task.Sources.Count switch
    {
        0 when task.NotBought.Count == 0 =>
            $"The marketplace offered no sources for \"{Inline(task.Theme)}\". Nothing was paid.",
        0 =>
            $"The budget of {task.Budget} buys none of the {task.NotBought.Count} sources found for \"{Inline(task.Theme)}\": " +
            $"the cheapest costs {task.NotBought.Min(q => q.Price)}. Nothing was paid.",
        var bought =>
            $"Bought {bought} of the {bought + task.NotBought.Count} sources found for \"{Inline(task.Theme)}\", " +
            $"spending {spent} of a budget of {task.Budget}.",
    };

    static void WriteSource(StringBuilder md, PurchasedSource source, int index)
    {
        Line(md);
        Line(md, $"### {index}. {Inline(source.Title)} ({Inline(source.Company)})");
        Line(md);
        Line(md, $"Marketplace item {source.ItemId}, bought for {source.Price}.");
        Line(md);
        using var data = JsonDocument.Parse(source.Data);
        foreach (var field in data.RootElement.EnumerateObject())
            Line(md, $"- **{Inline(field.Name)}**: {Inline(Value(field.Value))}");
        Line(md);
    }

    static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) =>
            string.Join(", ", value.EnumerateArray().Select(Value)),
        _ => value.GetRawText(),
    };

    static string Inline(string text) => text.ReplaceLineEndings(" ").Trim();

    static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

    static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
