using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Api;

/// <summary>
/// A marketplace that sends its headers and then one byte every 2 s: with HTTP_TIMEOUT=2 and MAX_RETRIES=1 each
/// call ends with its attempts' deadlines; the step is tried again later until WORKFLOW_TIMEOUT (25 s here), and
/// the task ends within 40 s, whichever call hangs.
/// </summary>
public sealed class HangingMarketplaceTests
{
    const string Tesla = "Tesla Inc financial performance 2023";

    [Theory]
    [InlineData(Hostility.TrickleCatalog, "Marketplace catalog failed: timed out")]
    // Every price hangs: its step times out, and the retries until the timeout meet the circuit they opened.
    [InlineData(Hostility.TricklePrice, "Price of marketplace item 1 failed: ")]
    [InlineData(Hostility.TrickleRead, "failed: timed out")]
    public async Task A_hanging_call_fails_the_task_with_DataError_within_40_s(Hostility hang, string message)
    {
        await using var run = await HostileMarketplaceRun.StartAsync(hang);

        var (taskId, task, took) = await run.RunAsync(Tesla, budget: 50);

        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Equal("DataError", task["error"]!["error"]!.GetValue<string>());
        Assert.Contains(message, task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(took, TimeSpan.Zero, HostileMarketplaceRun.FinalWithin);
        await run.AssertContainedAsync(taskId, budget: 50);
    }

    [Fact]
    public async Task A_payment_whose_answer_hangs_is_settled_by_reading_the_item_and_the_task_ends_within_40_s()
    {
        await using var run = await HostileMarketplaceRun.StartAsync(Hostility.TricklePayment);

        var (taskId, task, took) = await run.RunAsync(Tesla, budget: 12);

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.InRange(took, TimeSpan.Zero, HostileMarketplaceRun.FinalWithin);
        Assert.True(task["spent"]!.GetValue<long>() > 0, "the charge made before the answer hung is counted");
        Assert.All(task["plan"]!.AsArray(), p => Assert.NotEqual("Unconfirmed", p!["status"]!.GetValue<string>()));
        await run.AssertContainedAsync(taskId, budget: 12);
    }
}
