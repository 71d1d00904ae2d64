namespace Orchestrator.IntegrationTests.Workflow.Payments;

/// <summary>
/// A payment step slower than the stalled-task sweep: a marketplace that takes 40 s per <c>POST /pay</c>, and a sweep
/// that looks every second for tasks unchanged for 10 s. The step holds a lease the sweep respects and claims
/// each purchase before paying it, so no purchase is ever paid by two payers at once. (With 1 s, a machine busy with
/// the whole suite now and then left another step unchanged that long, and the sweep rightly resumed it.)
/// </summary>
public sealed class SlowPaymentStepTests : IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    SimulatorHost Simulators => _embedded.Simulators;

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task The_sweep_does_not_deliver_a_payment_step_again_while_it_still_pays()
    {
        Simulators.Behaviour.PaymentLatency = TimeSpan.FromSeconds(40);
        await using var api = await _embedded.StartAsync(new Dictionary<string, string>
        {
            ["Recovery__SweepInterval"] = "00:00:01",
            ["Recovery__StallAfter"] = "00:00:10",
            ["HTTP_TIMEOUT"] = "60",
        });

        var taskId = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 10, voice_id = "user_voice_123" });
        var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(150));

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Equal(1, Simulators.Behaviour.MostPaymentsInFlightForOneItem);
        Assert.Equal(Simulators.Ledger.Charges.Count, Simulators.Behaviour.RequestsTo("/pay"));
        Assert.Equal(task["spent"]!.GetValue<int>(), Simulators.Ledger.Charges.Sum(c => c.Amount));
        Assert.DoesNotContain("Sent ResumeTask", api.Output, StringComparison.Ordinal);
    }
}
