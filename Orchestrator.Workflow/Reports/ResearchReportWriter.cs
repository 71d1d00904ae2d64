using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Workflow.Analysis;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Workflow.Reports;

/// <summary>
/// Writes the Markdown (CommonMark, with pipe tables) research report: title, executive summary, findings per
/// source with numbered citations, the sources with what was paid and when, the cost against the budget, the
/// sources left out and why, and when it was generated. Text from the marketplace is escaped, never markup.
/// </summary>
public sealed class ResearchReportWriter
{
    static readonly string[] NotMetrics = ["id", "title", "company", "summary"];

    public string Write(WriteReport task, string summary, DateTimeOffset generatedAt)
    {
        var spent = task.Sources.Sum(s => s.Price);
        var md = new StringBuilder();
        Line(md, $"# Research report: {Escape(task.Theme)}");
        Line(md);
        Line(md, $"*Generated {generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC by the Research Task Orchestrator.*");
        Line(md);
        Line(md, "## Executive summary");
        Line(md);
        // The summary may be a chat model's answer, shaped by what the marketplace sent: it is text, like the rest.
        Line(md, Escape(summary, lineStart: true));

        if (task.Sources.Count > 0)
        {
            Line(md);
            Line(md, "## Findings");
            foreach (var (source, number) in Numbered(task.Sources))
                WriteFinding(md, source, number);

            Line(md);
            Line(md, "## Sources");
            Line(md);
            foreach (var (source, number) in Numbered(task.Sources))
                Line(md, $"{number}. {Escape(source.Title)}, {Escape(source.Company)}: marketplace item {source.ItemId}, {Bought(source)}{Digest(source)}.");
        }

        Line(md);
        Line(md, "## Cost");
        Line(md);
        Line(md, "| # | Source | Price |");
        Line(md, "| ---: | --- | ---: |");
        foreach (var (source, number) in Numbered(task.Sources))
            Line(md, $"| [{number}] | {Escape(source.Title)} (item {source.ItemId}) | {source.Price} |");
        Line(md, $"|  | **Total** | **{spent}** |");
        Line(md);
        Line(md, $"Budget used: **{spent}** of **{task.Budget}**, **{task.Budget - spent}** remaining.");

        if (task.NotBought.Count > 0)
        {
            Line(md);
            Line(md, "## Considered but not bought");
            Line(md);
            Line(md, "| Item | Source | Price | Why |");
            Line(md, "| ---: | --- | ---: | --- |");
            foreach (var source in task.NotBought)
                Line(md, $"| {source.ItemId} | {Escape(source.Title)} ({Escape(source.Company)}) | {source.Price?.ToString(CultureInfo.InvariantCulture) ?? "—"} | {Escape(source.Reason)} |");
        }

        return md.ToString();
    }

    static void WriteFinding(StringBuilder md, PurchasedSource source, int number)
    {
        Line(md);
        Line(md, $"### [{number}] {Escape(source.Title)}");
        Line(md);
        Line(md, $"*{Escape(source.Company)}, marketplace item {source.ItemId}*");
        Line(md);
        using var data = JsonDocument.Parse(source.Data);
        if (ResearchAnalyst.Headline(data.RootElement) is { } headline)
        {
            Line(md, $"{Escape(headline, lineStart: true)} [{number}]");
            Line(md);
        }

        foreach (var field in data.RootElement.EnumerateObject().Where(f => !NotMetrics.Contains(f.Name)))
        {
            if (field.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var metric in field.Value.EnumerateObject())
                    Line(md, $"- **{Escape(metric.Name)}**: {Escape(Value(metric.Value))}");
            }
            else
                Line(md, $"- **{Escape(field.Name)}**: {Escape(Value(field.Value))}");
        }
    }

    static IEnumerable<(T Item, int Number)> Numbered<T>(IEnumerable<T> items) => items.Select((item, i) => (item, i + 1));

    /// <summary>What the source cost this task: its price, or nothing when it was read from the owner's earlier purchase.</summary>
    static string Bought(PurchasedSource source) => source.ReusedFrom is { } earlier
        ? $"already owned: bought in task {earlier}{PaidAt(source)}, not paid again"
        : $"bought for {source.Price}{PaidAt(source)}{Settlement(source)}";

    /// <summary>An x402 payment's settlement, so that a reader can find it on its chain.</summary>
    static string Settlement(PurchasedSource source) =>
        source is { Network: { } network, Reference: { } transaction } ? $", paid over x402: transaction {Escape(transaction)} on {Escape(network)}" : "";

    /// <summary>The digest of the bytes delivered, so that a dispute can prove what was bought.</summary>
    static string Digest(PurchasedSource source) => source.DataSha256 is { } digest ? $"; data SHA-256 `{digest}`" : "";

    static string PaidAt(PurchasedSource source) =>
        source.PaidAt is { } at ? $" on {at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC" : "";

    static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) =>
            string.Join(", ", value.EnumerateArray().Select(Value)),
        _ => value.GetRawText(),
    };

    /// <summary>
    /// One line of literal text: control characters removed (<see cref="UntrustedText"/>), punctuation that could
    /// start markup backslash-escaped (CommonMark allows it before any ASCII punctuation), and so, for text that
    /// starts a line, is what would open a heading or a list. A citation such as [1] is escaped too: it reads the
    /// same, and no text can make it a link.
    /// </summary>
    static string Escape(string text, bool lineStart = false)
    {
        var escaped = new StringBuilder();
        var line = UntrustedText.Clean(text);
        var listNumber = line.TakeWhile(char.IsAsciiDigit).Count();
        if (lineStart && line.Length > 0 && line[0] is '#' or '-' or '+' or '=')
            escaped.Append('\\');
        else if (lineStart && listNumber > 0 && listNumber < line.Length && line[listNumber] is '.' or ')')
        {
            escaped.Append(line, 0, listNumber).Append('\\');
            line = line[listNumber..];
        }

        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '&' or '~')
                escaped.Append('\\');
            escaped.Append(c);
        }

        return escaped.ToString();
    }

    static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
