using System.Reflection;

namespace Orchestrator.Api.Security;

/// <summary>
/// Who is asking: the owner id a task records (a token's <c>sub</c> under <c>Auth:Mode=Jwt</c>, else
/// <c>anonymous</c>) and whether they may see every task (<c>role</c> = <c>admin</c>). A handler takes it as a
/// parameter; minimal APIs bind it from the request.
/// </summary>
public sealed record Caller(string OwnerId, bool IsAdmin)
{
    public const string AnonymousOwner = "anonymous";
    public const string AdminRole = "admin";

    /// <summary>
    /// Without identities (<c>Auth:Mode=None</c>) there is nobody to keep apart: the anonymous caller sees every
    /// task, those published onto the bus included. Its new tasks are owned by <c>anonymous</c>.
    /// </summary>
    public static readonly Caller Anonymous = new(AnonymousOwner, IsAdmin: true);

    public static Caller From(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Jwt
            ? new Caller(context.User.FindFirst(AuthOptions.SubjectClaim)?.Value ?? "", context.User.IsInRole(AdminRole))
            : Anonymous;

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<Caller?>(From(context));

    /// <summary>Whether this caller may read and cancel the task: its owner, or an admin.</summary>
    public bool Owns(ResearchTaskState task) => IsAdmin || task.OwnerId == OwnerId;
}

public static class CallerQueries
{
    /// <summary>The tasks this caller may read: their own, or all for an admin. Others' tasks answer 404, as unknown ones.</summary>
    public static IQueryable<ResearchTaskState> VisibleTo(this IQueryable<ResearchTaskState> tasks, Caller caller) =>
        caller.IsAdmin ? tasks : tasks.Where(t => t.OwnerId == caller.OwnerId);
}
