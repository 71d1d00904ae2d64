using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Orchestrator.Tests.Sagas.ResearchTasks;

namespace Orchestrator.Tests.Workflow.Reports;

/// <summary>The report of a real workflow (harness, real consumers, simulators over HTTP), parsed as CommonMark.</summary>
public sealed partial class ResearchReportTests : IAsyncLifetime
{
    static readonly MarkdownPipeline CommonMarkWithTables = new MarkdownPipelineBuilder().UsePipeTables().Build();
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Buys_the_most_relevant_set_the_budget_allows_and_cites_each_source_with_its_price()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 20);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var bought = task.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).ToList();
        Assert.True(bought.Count >= 2, "several relevant items fit a budget of 20");
        Assert.Equal(PurchasePlanner.Choose(task.Purchases.Select(p => new Contracts.SourceQuote(p.ItemId, p.Title, p.Company, p.Price, p.Score)), 20).Order(),
            bought.Select(p => p.ItemId).Order());
        Assert.Contains(task.Purchases, p => p.Status is PurchaseStatus.NotChosen or PurchaseStatus.OverBudget);

        var document = Markdown.Parse(task.ReportMarkdown!, CommonMarkWithTables);
        var headings = document.Descendants<HeadingBlock>().Select(h => (h.Level, Text: Text(h.Inline))).ToList();
        Assert.Equal((1, "Research report: Tesla Inc financial performance 2023"), headings[0]);
        Assert.Equal(
            ["Executive summary", "Findings", "Sources", "Cost", "Considered but not bought"],
            headings.Where(h => h.Level == 2).Select(h => h.Text));
        Assert.Equal(bought.Count, headings.Count(h => h.Level == 3));

        var sources = document.Descendants<ListBlock>().Single(l => l.IsOrdered);
        Assert.Equal(bought.Count, sources.Count);
        foreach (var (purchase, item) in bought.Zip(sources.Cast<ListItemBlock>()))
        {
            var line = Text(item.Descendants<ParagraphBlock>().Single().Inline);
            Assert.Contains($"marketplace item {purchase.ItemId}, bought for {purchase.Price} on ", line, StringComparison.Ordinal);
        }

        var tables = document.Descendants<Table>().ToList();
        Assert.Equal(2, tables.Count);
        Assert.Equal(bought.Count + 2, tables[0].Count);
        Assert.Contains($"**{task.Spent}** of **20**, **{20 - task.Spent}** remaining", task.ReportMarkdown, StringComparison.Ordinal);
        Assert.Equal(task.Purchases.Count - bought.Count + 1, tables[1].Count);
        var blocks = document.ToList();
        var summary = Text(((ParagraphBlock)blocks[blocks.FindIndex(b => b is HeadingBlock { Level: 2 } h && Text(h.Inline) == "Executive summary") + 1]).Inline);
        for (var number = 1; number <= bought.Count; number++)
            Assert.Contains($"[{number}]", summary, StringComparison.Ordinal);
        Assert.Matches(Generated(), task.ReportMarkdown!);
    }

    [Fact]
    public async Task A_budget_that_buys_nothing_still_gives_a_valid_report_listing_what_was_left_out()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 1);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var document = Markdown.Parse(task.ReportMarkdown!, CommonMarkWithTables);
        Assert.DoesNotContain(document.Descendants<HeadingBlock>(), h => Text(h.Inline) == "Findings");
        var leftOut = document.Descendants<Table>().Last();
        Assert.Equal(task.Purchases.Count + 1, leftOut.Count);
        Assert.All(task.Purchases, p => Assert.Contains($"costs {p.Price}, more than the budget of 1 allows", task.ReportMarkdown, StringComparison.Ordinal));
        Assert.Equal(0, task.Spent);
    }

    static string Text(ContainerInline? inline) =>
        string.Concat(inline?.Descendants<LiteralInline>().Select(l => l.Content.ToString()) ?? []);

    [GeneratedRegex(@"\*Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC by the Research Task Orchestrator\.\*")]
    private static partial Regex Generated();
}
