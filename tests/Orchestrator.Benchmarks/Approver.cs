using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Benchmarks;

/// <summary>
/// A person at the dashboard approving every plan that waits for approval: every half second it lists the tasks
/// <c>AwaitingApproval</c> (every page) and approves each. A task decided already (409) or an Api that does not
/// answer during an outage is looked at again the next time.
/// </summary>
sealed class Approver(HttpClient api)
{
    static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);

    int _approved;

    /// <summary>How many approvals the Api accepted (202).</summary>
    public int Approved => Volatile.Read(ref _approved);

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ApproveWaitingAsync(stop);
                await Task.Delay(Every, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
            {
                // An outage: look again soon.
                await Task.Delay(Every, CancellationToken.None);
            }
        }
    }

    async Task ApproveWaitingAsync(CancellationToken stop)
    {
        string? after = null;
        do
        {
            var page = (await api.GetFromJsonAsync<JsonNode>($"/tasks?status=AwaitingApproval&limit=100{(after is null ? "" : $"&after={after}")}", stop))!;
            foreach (var task in page["tasks"]!.AsArray())
            {
                using var response = await api.PostAsync($"/tasks/{task!["task_id"]!.GetValue<string>()}/approve", content: null, stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                    Interlocked.Increment(ref _approved);
            }

            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
    }
}
