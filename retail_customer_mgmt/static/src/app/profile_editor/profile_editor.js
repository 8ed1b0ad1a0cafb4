import {Component, onWillStart, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {ConnectionLostError, RPCError} from "@web/core/network/rpc";
import {useService} from "@web/core/utils/hooks";
import {usePos} from "@point_of_sale/app/store/pos_hook";
import {uuidv4} from "@point_of_sale/utils";

export const RETAIL_CONSENT_CHANNELS = ["email", "sms", "phone", "wechat"];

/**
 * The customer's profile at the till: birthday, preferred channel, WeChat ID
 * and the marketing consent of each channel. Only the fields the cashier
 * touches are sent, with a key (uuid) of the edit: the server writes them
 * through the same checks as the back office and applies each key once, so
 * an edit made offline and synced later (or sent twice) changes the profile
 * once. The server's message is shown when a value is refused.
 */
export class RetailProfileEditor extends Component {
    static template = "retail_customer_mgmt.RetailProfileEditor";
    static components = {Dialog};
    static props = {
        partner: Object,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.notification = useService("notification");
        this.channels = [
            {id: "email", name: _t("Email")},
            {id: "sms", name: _t("SMS")},
            {id: "phone", name: _t("Phone")},
            {id: "wechat", name: _t("WeChat")},
        ];
        this.state = useState({
            values: this.emptyProfile(),
            touched: {},
            error: "",
            loaded: false,
            saving: false,
        });
        onWillStart(async () => {
            const known = this.props.partner._retailProfile;
            if (known) {
                Object.assign(this.state.values, known);
            }
            if (this.pos.data.network.offline) {
                return;
            }
            try {
                const profile = await this.pos.data.call("res.partner", "retail_pos_profile_read", [
                    [this.props.partner.id],
                ]);
                this.remember(profile);
                Object.assign(this.state.values, this.props.partner._retailProfile);
                this.state.loaded = true;
            } catch (error) {
                if (!(error instanceof ConnectionLostError)) {
                    throw error;
                }
            }
        });
    }
    emptyProfile() {
        const values = {
            retail_birthday: "",
            retail_preferred_channel: "",
            retail_wechat_id: "",
        };
        for (const channel of RETAIL_CONSENT_CHANNELS) {
            values[`retail_consent_${channel}`] = false;
        }
        return values;
    }
    remember(profile) {
        const values = this.emptyProfile();
        for (const key of Object.keys(values)) {
            if (key in profile) {
                values[key] = profile[key] || (key.startsWith("retail_consent_") ? false : "");
            }
        }
        this.props.partner._retailProfile = values;
    }
    get title() {
        return _t("Customer profile: %s", this.props.partner.name || "");
    }
    get offlineNotice() {
        return this.state.loaded
            ? ""
            : _t(
                  "The till is offline: only the fields you change are saved, when it is back online."
              );
    }
    set(field, value) {
        this.state.values[field] = value;
        this.state.touched[field] = true;
        this.state.error = "";
    }
    changes() {
        const changes = {};
        for (const field of Object.keys(this.state.touched)) {
            changes[field] = this.state.values[field] || false;
        }
        return changes;
    }
    /** The consents as the card shows them, once the edit is applied. */
    applyLocally(changes) {
        const consents = new Set((this.props.partner.retail_pos_consents || "").split(","));
        consents.delete("");
        for (const channel of RETAIL_CONSENT_CHANNELS) {
            const field = `retail_consent_${channel}`;
            if (field in changes) {
                if (changes[field]) {
                    consents.add(channel);
                } else {
                    consents.delete(channel);
                }
            }
        }
        this.props.partner.update({
            retail_pos_consents: [...consents].sort().join(","),
            retail_pos_marketing_consent: consents.size > 0,
        });
        this.remember({...this.props.partner._retailProfile, ...changes});
    }
    async save() {
        const changes = this.changes();
        if (!Object.keys(changes).length) {
            this.props.close();
            return;
        }
        this.state.saving = true;
        const args = [[this.props.partner.id], changes, uuidv4()];
        try {
            if (this.pos.data.network.offline) {
                await this.saveOffline(args, changes);
                return;
            }
            try {
                await this.pos.data.call("res.partner", "retail_pos_save_profile", args);
            } catch (error) {
                if (error instanceof ConnectionLostError) {
                    await this.saveOffline(args, changes);
                    return;
                }
                if (error instanceof RPCError && error.data?.message) {
                    this.state.error = error.data.message;
                    return;
                }
                throw error;
            }
            // the card's consents and service figures as the server has them now
            await this.pos.data.read("res.partner", [this.props.partner.id]);
            this.applyLocally(changes);
            this.notification.add(_t("Profile of %s saved.", this.props.partner.name), {
                type: "success",
            });
            this.props.close();
        } finally {
            this.state.saving = false;
        }
    }
    async saveOffline(args, changes) {
        // queued by the POS, sent again with the same key when back online
        await this.pos.data.call(
            "res.partner",
            "retail_pos_save_profile",
            args,
            {offline: true},
            true
        );
        this.applyLocally(changes);
        this.notification.add(
            _t(
                "The till is offline: the profile of %s is saved on this till and reaches the server when it is back online.",
                this.props.partner.name
            ),
            {type: "warning"}
        );
        this.props.close();
    }
}
