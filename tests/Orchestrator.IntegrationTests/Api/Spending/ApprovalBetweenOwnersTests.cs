using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Api.Spending;

/// <summary>
/// Who may decide on a plan awaiting approval, with JWT owners: another owner gets 404 (the task is not theirs to
/// see) and changes nothing; the owner or an admin decides, and the task and its audit trail say who.
/// </summary>
public sealed class ApprovalBetweenOwnersTests(ApprovalBetweenOwnersTests.Service service) : IClassFixture<ApprovalBetweenOwnersTests.Service>
{
    const string Theme = "Tesla Inc financial performance 2023";

    [Fact]
    public async Task Another_owner_may_neither_approve_nor_reject_and_the_owner_still_can()
    {
        using var alice = service.ClientFor("alice");
        using var mallory = service.ClientFor("mallory");
        var taskId = await alice.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
        await alice.WaitForStatusAsync(taskId, "AwaitingApproval");

        Assert.Equal(HttpStatusCode.NotFound, await mallory.DecideAsync(taskId, "reject"));
        Assert.Equal(HttpStatusCode.NotFound, await mallory.DecideAsync(taskId, "approve"));
        var untouched = await alice.GetTaskAsync(taskId);
        Assert.Equal("AwaitingApproval", untouched["status"]!.GetValue<string>());
        Assert.Null(untouched["approval"]!["decision"]);

        Assert.Equal(HttpStatusCode.Accepted, await alice.DecideAsync(taskId, "approve"));
        var task = await alice.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(60));

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Equal("alice", task["approval"]!["decided_by"]!.GetValue<string>());
        Assert.Equal(task["spent"]!.GetValue<long>(), service.Simulators.Ledger.ChargesOf(taskId).Sum(c => c.Amount));
        Assert.Contains(("approved", "alice"), await alice.AuditAsync(taskId));
        Assert.Equal(HttpStatusCode.NotFound, await mallory.DecideAsync(taskId, "approve"));
    }

    [Fact]
    public async Task An_admin_may_reject_an_owners_plan_and_is_named_as_who_rejected_it()
    {
        using var bob = service.ClientFor("bob");
        using var admin = service.ClientFor("root", Caller.AdminRole);
        var taskId = await bob.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
        await bob.WaitForStatusAsync(taskId, "AwaitingApproval");

        Assert.Equal(HttpStatusCode.Accepted, await admin.DecideAsync(taskId, "reject"));
        var task = await bob.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Contains("rejected by root", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, await bob.DecideAsync(taskId, "approve"));
        Assert.Empty(service.Simulators.Ledger.ChargesOf(taskId));
        Assert.Contains(("rejected", "root"), await bob.AuditAsync(taskId));
    }

    public sealed class Service() : JwtProgram(new Dictionary<string, string> { ["Approval__Threshold"] = "1" });
}
