using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Api;

/// <summary>A marketplace that answers, but answers wrongly: each attack through the embedded Api as a process.</summary>
public sealed class HostileMarketplaceTests
{
    const string Tesla = "Tesla Inc financial performance 2023";

    [Fact]
    public async Task A_paid_read_redirected_to_another_host_fails_the_task_with_DataError_and_the_token_goes_nowhere()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.RedirectPaidRead);

        var (taskId, task, _) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Failed", Status(task));
        Assert.Equal("DataError", task["error"]!["error"]!.GetValue<string>());
        Assert.Contains("redirect (HTTP 302)", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(task["spent"]!.GetValue<long>() > 0, "the item was paid before its read was redirected");
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task A_paid_read_of_40_MB_fails_the_task_with_DataError_and_nothing_of_it_is_stored()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.HugePaidRead);

        var (taskId, task, _) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Failed", Status(task));
        Assert.Equal("DataError", task["error"]!["error"]!.GetValue<string>());
        Assert.Contains("more than 1048576 bytes", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task Two_items_priced_two_billion_with_the_largest_budget_buy_one_and_the_task_completes()
    {
        const long Budget = int.MaxValue;
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.HugePrices);

        var (taskId, task, _) = await run.RunAsync(Tesla, Budget);

        Assert.Equal("Completed", Status(task));
        Assert.Equal(2_000_000_000, task["spent"]!.GetValue<long>());
        Assert.Equal(1, await run.ChargesAsync());
        Assert.Equal(["Fetched", "NotChosen"], Plan(task).Select(p => p["status"]!.GetValue<string>()).Order());
        await run.AssertContainedAsync(taskId, Budget);
    }

    [Fact]
    public async Task Items_with_bad_prices_are_skipped_with_their_reasons_and_the_task_completes_with_the_sound_one()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.BadPrices);

        var (taskId, task, _) = await run.RunAsync("Tesla Ford BYD electric vehicles automotive", budget: 50);

        Assert.Equal("Completed", Status(task));
        var skipped = Plan(task).Where(p => p["status"]!.GetValue<string>() == "Skipped").Select(p => p["item"]!.GetValue<int>()).Order();
        Assert.Equal([1, 2, 3, 4, 5], skipped);
        var report = task["report"]!.GetValue<string>();
        Assert.Contains("| 1 |", report, StringComparison.Ordinal);
        Assert.Contains("the marketplace asked a price of 0, not a positive whole number", report, StringComparison.Ordinal);
        Assert.Contains("the marketplace asked a price of 1.5, not a positive whole number", report, StringComparison.Ordinal);
        Assert.Contains("the marketplace answered 402 without a JSON price", report, StringComparison.Ordinal);
        Assert.True(task["spent"]!.GetValue<long>() > 0, "the sound item was bought");
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task Items_answered_200_without_payment_are_skipped_and_the_task_completes()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.PaidWithoutPayment);

        var (taskId, task, _) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Completed", Status(task));
        var skipped = Plan(task).Where(p => p["status"]!.GetValue<string>() == "Skipped").ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, p => Assert.Equal(0, p["item"]!.GetValue<int>() % 2));
        Assert.Contains("200 without payment", task["report"]!.GetValue<string>(), StringComparison.Ordinal);
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task Titles_with_control_characters_and_10000_characters_are_cleaned_and_cut_to_their_columns()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.ControlCharacters);

        var (taskId, task, _) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Completed", Status(task));
        Assert.All(Plan(task), p =>
        {
            var title = p["title"]!.GetValue<string>();
            Assert.InRange(title.Length, 1, 500);
            Assert.DoesNotContain(title, char.IsControl);
        });
        Assert.DoesNotContain(task["report"]!.GetValue<string>(), c => char.IsControl(c) && c != '\n');
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task Links_and_html_in_titles_and_data_leave_report_html_without_an_active_link_and_with_its_headers()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.ActiveContent);

        var (taskId, task, _) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Completed", Status(task));
        using var html = await run.Api.Client.GetAsync($"/tasks/{taskId}/report.html");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", string.Join(",", html.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", html.Headers.GetValues("X-Content-Type-Options")));
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("javascript:alert(1)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<a ", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b ", page, StringComparison.Ordinal);
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    static string Status(JsonNode task) => task["status"]!.GetValue<string>();

    static List<JsonNode> Plan(JsonNode task) => [.. task["plan"]!.AsArray().Select(p => p!)];
}
