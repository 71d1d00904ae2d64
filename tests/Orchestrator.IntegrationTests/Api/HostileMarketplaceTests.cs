namespace Orchestrator.IntegrationTests.Api;

/// <summary>A marketplace that answers wrongly, or hangs: each attack through the embedded Api as a process.</summary>
public sealed class HostileMarketplaceTests
{
    const string Tesla = "Tesla Inc financial performance 2023";

    /// <summary>
    /// A paid read that is redirected to another host or is 40 MB long, or a call that sends its headers and then one
    /// byte every 2 s (HTTP_TIMEOUT=2, MAX_RETRIES=1: the step is tried again later until WORKFLOW_TIMEOUT, 25 s
    /// here). The run also checks that the token went nowhere and nothing big was stored.
    /// </summary>
    [Theory]
    [InlineData(Hostility.RedirectPaidFetch, "redirect (HTTP 302)", true)]
    [InlineData(Hostility.HugePaidFetch, "more than 1048576 bytes", true)]
    [InlineData(Hostility.TrickleCatalog, "Marketplace catalog failed: timed out", false)]
    // Every price hangs: its step times out, and the retries until the timeout meet the circuit they opened.
    [InlineData(Hostility.TricklePrice, "Price of marketplace item 1 failed: ", false)]
    [InlineData(Hostility.TrickleFetch, "failed: timed out", true)]
    public async Task A_paid_read_gone_wrong_or_a_hanging_call_fails_the_task_with_DataError_within_40_s(Hostility attack, string message, bool paid)
    {
        await using var run = await HostileMarketplaceRun.RunAsync(attack, Tesla, budget: 50);

        Assert.Equal(("Failed", "DataError"), (run.Status, run.Error));
        Assert.Contains(message, run.ErrorMessage, StringComparison.Ordinal);
        Assert.InRange(run.Took, TimeSpan.Zero, HostileMarketplaceRun.FinalWithin);
        Assert.Equal(paid, run.Spent > 0);
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task A_payment_whose_answer_hangs_is_settled_by_reading_the_item_and_the_task_ends_within_40_s()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.TricklePayment, Tesla, budget: 12);

        Assert.Equal("Completed", run.Status);
        Assert.InRange(run.Took, TimeSpan.Zero, HostileMarketplaceRun.FinalWithin);
        Assert.True(run.Spent > 0, "the charge made before the answer hung is counted");
        Assert.All(run.Plan, p => Assert.NotEqual("Unconfirmed", p["status"]!.GetValue<string>()));
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task Two_items_priced_two_billion_with_the_largest_budget_buy_one_and_the_task_completes()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.HugePrices, Tesla, int.MaxValue);

        Assert.Equal("Completed", run.Status);
        Assert.Equal(2_000_000_000, run.Spent);
        Assert.Equal(1, await run.ChargesAsync());
        Assert.Equal(["Fetched", "NotChosen"], run.Plan.Select(p => p["status"]!.GetValue<string>()).Order());
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task Items_with_bad_prices_are_skipped_with_their_reasons_and_the_task_completes_with_the_sound_one()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.BadPrices, "Tesla Ford BYD electric vehicles automotive", budget: 50);

        Assert.Equal("Completed", run.Status);
        var skipped = run.Plan.Where(p => p["status"]!.GetValue<string>() == "Skipped").Select(p => p["item"]!.GetValue<int>()).Order();
        Assert.Equal([1, 2, 3, 4, 5], skipped);
        Assert.Contains("| 1 |", run.Report, StringComparison.Ordinal);
        Assert.Contains("the marketplace asked a price of 0, not a positive whole number", run.Report, StringComparison.Ordinal);
        Assert.Contains("the marketplace asked a price of 1.5, not a positive whole number", run.Report, StringComparison.Ordinal);
        Assert.Contains("the marketplace answered 402 without a JSON price", run.Report, StringComparison.Ordinal);
        Assert.True(run.Spent > 0, "the sound item was bought");
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task Items_answered_200_without_payment_are_skipped_and_the_task_completes()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.PaidWithoutPayment, Tesla, budget: 50);

        Assert.Equal("Completed", run.Status);
        var skipped = run.Plan.Where(p => p["status"]!.GetValue<string>() == "Skipped").ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, p => Assert.Equal(0, p["item"]!.GetValue<int>() % 2));
        Assert.Contains("200 without payment", run.Report, StringComparison.Ordinal);
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task Titles_with_control_characters_and_10000_characters_are_cleaned_and_cut_to_their_columns()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.ControlCharacters, Tesla, budget: 50);

        Assert.Equal("Completed", run.Status);
        Assert.All(run.Plan, p =>
        {
            var title = p["title"]!.GetValue<string>();
            Assert.InRange(title.Length, 1, 500);
            Assert.DoesNotContain(title, char.IsControl);
        });
        Assert.DoesNotContain(run.Report, c => char.IsControl(c) && c != '\n');
        await run.AssertContainedAsync();
    }

    [Fact]
    public async Task Links_and_html_in_titles_and_data_leave_report_html_without_an_active_link_and_with_its_headers()
    {
        await using var run = await HostileMarketplaceRun.RunAsync(Hostility.ActiveContent, Tesla, budget: 50);

        Assert.Equal("Completed", run.Status);
        using var html = await run.Api.Client.GetAsync($"/tasks/{run.TaskId}/report.html");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", string.Join(",", html.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", html.Headers.GetValues("X-Content-Type-Options")));
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("javascript:alert(1)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<a ", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b ", page, StringComparison.Ordinal);
        await run.AssertContainedAsync();
    }
}
