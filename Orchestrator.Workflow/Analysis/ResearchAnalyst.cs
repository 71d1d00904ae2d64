using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Orchestrator.Workflow.Analysis;

/// <summary>
/// Ranks candidate sources by relevance and writes a report's executive summary: with the configured chat model
/// (<see cref="IChatClient"/>) when there is one, else, or whenever the model fails, times out or answers
/// something unusable, with the deterministic built-in analysis. It never fails a task.
/// </summary>
public sealed partial class ResearchAnalyst(IOptions<LlmOptions> options, ILogger<ResearchAnalyst> logger, IChatClient? chat = null)
{
    public sealed record Candidate(int ItemId, string Title, string Company, IReadOnlyList<string> Tags);

    /// <summary>A relevance score for each candidate, in their order (BM25, or the model's 0-10 rating).</summary>
    public async Task<IReadOnlyList<double>> RankAsync(string theme, IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken)
    {
        IReadOnlyList<double> BuiltIn() => Bm25.Score(theme, [.. candidates.Select(c => $"{c.Title} {c.Company} {string.Join(' ', c.Tags)}")]);
        if (chat is null || candidates.Count == 0)
            return BuiltIn();

        var prompt = new StringBuilder($"Research theme: {theme}\nItems:\n");
        foreach (var c in candidates)
            prompt.Append(CultureInfo.InvariantCulture, $"- id {c.ItemId}: {c.Title} ({c.Company}); tags: {string.Join(", ", c.Tags)}\n");
        var answer = await AskAsync(
            "You rate how relevant marketplace data items are to a research theme. Answer with JSON only, in the form " +
            "{\"scores\": {\"<item id>\": <relevance from 0 to 10>}}, with one entry for every item.",
            prompt.ToString(), cancellationToken);

        return answer is not null && ReadScores(answer, candidates) is { } scores ? scores : BuiltIn();
    }

    /// <summary>The executive summary of a report, citing the sources as [1], [2]... in their order.</summary>
    public async Task<string> SummarizeAsync(WriteReport report, CancellationToken cancellationToken)
    {
        if (chat is null || report.Sources.Count == 0)
            return BuiltInSummary(report);

        var prompt = new StringBuilder($"Research theme: {report.Theme}\nSources:\n");
        foreach (var (source, number) in report.Sources.Select((s, i) => (s, i + 1)))
            prompt.Append(CultureInfo.InvariantCulture, $"[{number}] {source.Title} ({source.Company}): {source.Data}\n");
        var answer = await AskAsync(
            "You write the executive summary of a research report: one paragraph of 3 to 5 sentences of plain prose, " +
            "using only the sources given, citing them as [1], [2]. No heading, no list, no markdown.",
            prompt.ToString(), cancellationToken);

        var summary = answer?.ReplaceLineEndings(" ").Trim();
        return string.IsNullOrEmpty(summary) || summary.Length > 4000 ? BuiltInSummary(report) : summary;
    }

    public static string BuiltInSummary(WriteReport report)
    {
        var spent = report.Sources.Sum(s => s.Price);
        if (report.Sources.Count == 0)
        {
            return report.NotBought.Count == 0
                ? $"The marketplace offered no sources on \"{report.Theme}\", so nothing was bought or paid."
                : $"None of the {report.NotBought.Count} sources found on \"{report.Theme}\" was bought ({report.NotBought.Count} left out; see below), so nothing was paid.";
        }

        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"This report draws on {report.Sources.Count} purchased source{(report.Sources.Count == 1 ? "" : "s")} on \"{report.Theme}\", bought for {spent} of a budget of {report.Budget}."));
        foreach (var (source, number) in report.Sources.Select((s, i) => (s, i + 1)))
        {
            if (Headline(source.Data) is { } headline)
                text.Append(CultureInfo.InvariantCulture, $" {headline.TrimEnd('.')} [{number}].");
        }

        return text.ToString();
    }

    /// <summary>The item's own one-line summary, when its data has one.</summary>
    public static string? Headline(string data)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            return Headline(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? Headline(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.String
            ? summary.GetString()!.ReplaceLineEndings(" ").Trim()
            : null;

    async Task<string?> AskAsync(string instructions, string prompt, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            var response = await chat!.GetResponseAsync(
                [new ChatMessage(ChatRole.System, instructions), new ChatMessage(ChatRole.User, prompt)],
                new ChatOptions { Temperature = 0 },
                timeout.Token);
            return response.Text;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogModelFailed(e);
            return null;
        }
    }

    IReadOnlyList<double>? ReadScores(string answer, IReadOnlyList<Candidate> candidates)
    {
        var start = answer.IndexOf('{', StringComparison.Ordinal);
        var end = answer.LastIndexOf('}');
        try
        {
            using var json = JsonDocument.Parse(start >= 0 && end > start ? answer[start..(end + 1)] : answer);
            var scores = json.RootElement.GetProperty("scores");
            return [.. candidates.Select(c => Math.Clamp(scores.GetProperty(c.ItemId.ToString(CultureInfo.InvariantCulture)).GetDouble(), 0, 10))];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            LogUnusableAnswer(answer.Length > 200 ? answer[..200] : answer);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Warning, "The chat model failed; the built-in analysis is used instead")]
    partial void LogModelFailed(Exception exception);

    [LoggerMessage(LogLevel.Warning, "The chat model's ranking was unusable ({Answer}); the built-in ranking is used instead")]
    partial void LogUnusableAnswer(string answer);
}
