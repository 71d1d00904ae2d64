using System.Text.Json;
using Orchestrator.Api.Tasks;
using Orchestrator.Workflow.Reports;

namespace Orchestrator.Tests.Workflow.Reports;

/// <summary>The report writer given hostile text, and the page it becomes.</summary>
public sealed class ResearchReportWriterTests
{
    const string Hostile =
        "[click](javascript:alert(1)) [1](javascript:alert(2)) [1]: javascript:alert(3) <script>alert(4)</script> " +
        "![x](https://tracker.example/p.png) <javascript:alert(5)> &lt;b&gt; \u0000\u001b[2J";

    static readonly string Data = JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["summary"] = $"Headline {Hostile}",
        ["metrics"] = new Dictionary<string, object> { ["<b>x</b>"] = 1, ["[y](javascript:alert(6))"] = "<i>z</i>" },
    });

    static readonly WriteReport Report = new(
        Guid.NewGuid(), "Theme", 50,
        [new PurchasedSource(1, $"Title {Hostile}", $"Company {Hostile}", 10, Data, DateTime.UtcNow)],
        [new SourceNotBought(2, $"Skipped {Hostile}", "Company", null, $"the marketplace asked a price of 1.5 {Hostile}")]);

    [Fact]
    public void A_model_summary_with_links_html_and_images_is_written_as_inert_text()
    {
        var markdown = new ResearchReportWriter().Write(Report, $"Summary {Hostile} [1].", DateTimeOffset.UtcNow);
        var html = ReportPage.Render("Theme", markdown);

        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(html, c => c is '\u0000' or '\u001b');
        Assert.Contains("Summary [click](javascript:alert(1))", html, StringComparison.Ordinal);
        Assert.Contains(" [1].</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_skipped_source_is_listed_with_its_reason_and_no_price()
    {
        var markdown = new ResearchReportWriter().Write(Report, "Summary.", DateTimeOffset.UtcNow);

        var row = markdown.Split('\n').Single(line => line.StartsWith("| 2 |", StringComparison.Ordinal));
        Assert.Contains("| — | the marketplace asked a price of 1.5", row, StringComparison.Ordinal);
    }
}
