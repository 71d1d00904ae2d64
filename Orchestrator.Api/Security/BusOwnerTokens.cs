using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Orchestrator.Api.Security;

/// <summary>
/// Tasks published onto the bus are owned in a namespace of their own (<c>bus</c>, <c>bus:&lt;ownerId&gt;</c>), so a
/// bus publisher cannot act as a user of the Api; a token whose subject is in that namespace is refused (401), so
/// no user of the Api can act as a bus publisher either.
/// </summary>
public static class BusOwnerTokens
{
    public const string Refusal = "Invalid bearer token: its subject is reserved for tasks published onto the bus";

    /// <summary>Adds the check after whatever the token's validation already does.</summary>
    public static void RefuseBusOwners(JwtBearerOptions jwt)
    {
        var validated = jwt.Events.OnTokenValidated;
        jwt.Events.OnTokenValidated = async context =>
        {
            await validated(context);
            if (context.Result is null && context.Principal?.FindFirst(AuthOptions.SubjectClaim)?.Value is { } subject && TaskRules.IsBusOwner(subject))
                context.Fail(Refusal);
        };
    }
}
